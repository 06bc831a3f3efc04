/**
 * The web booth's voting application (stream `booth-app`): which registered client the browser
 * booth logs in as at level 2 (docs/web.md, "The web booth's voting application").
 */
import type { ClientStatus } from './client.ts';
import { domainError, type DomainError } from './errors.ts';

export interface BoothAppSet {
  type: 'BoothAppSet';
  data: { clientId: string; setAt: string };
}

export type BoothEvent = BoothAppSet;

export interface SetBoothApp {
  type: 'SetBoothApp';
  clientId: string;
  /** The chosen client's status, read from its own stream by the handler. */
  clientStatus: ClientStatus;
  now: string;
}

export interface BoothState {
  clientId: string | null;
}

export const initialBoothState: BoothState = Object.freeze({ clientId: null });

export function evolveBooth(_state: BoothState, event: BoothEvent): BoothState {
  return { clientId: event.data.clientId };
}

export function decideBooth(command: SetBoothApp, state: BoothState): BoothEvent[] | DomainError {
  if (command.clientStatus === 'NONE') return domainError('CLIENT_NOT_FOUND', `client ${command.clientId} is not registered`);
  if (command.clientStatus === 'REVOKED') return domainError('CLIENT_REVOKED', `client ${command.clientId} was revoked`);
  // Choosing the app already chosen is an idempotent retry.
  if (state.clientId === command.clientId) return [];
  return [{ type: 'BoothAppSet', data: { clientId: command.clientId, setAt: command.now } }];
}

export const boothDecider = { decide: decideBooth, evolve: evolveBooth, initialState: initialBoothState };
