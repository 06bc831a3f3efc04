/**
 * The client-application decider (stream `client-{clientId}`); its HMAC key lives in the key store, never in the stream.
 */
import type { ClientEvent } from './client-events.ts';
import { domainError, type DomainError } from './errors.ts';
import { isWellFormedText } from '../crypto/bytes.ts';

export const MAX_CLIENT_NAME_LENGTH = 100;
// Controls have no place in a name and jsonb refuses \u0000; a lone surrogate is refused before the log too.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface RegisterClient {
  type: 'RegisterClient';
  clientId: string;
  name: string;
  now: string;
}

export interface RevokeClient {
  type: 'RevokeClient';
  clientId: string;
  now: string;
}

export type ClientCommand = RegisterClient | RevokeClient;

export type ClientStatus = 'NONE' | 'ACTIVE' | 'REVOKED';

export interface ClientState {
  status: ClientStatus;
  clientId?: string;
  name?: string;
}

export const initialClientState: ClientState = { status: 'NONE' };

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'ClientRegistered':
      return { status: 'ACTIVE', clientId: event.data.clientId, name: event.data.name };
    case 'ClientRevoked':
      return { ...state, status: 'REVOKED' };
  }
}

export function decideClient(command: ClientCommand, state: ClientState): ClientEvent[] | DomainError {
  switch (command.type) {
    case 'RegisterClient': {
      if (state.status !== 'NONE') return domainError('CLIENT_ALREADY_EXISTS', `client ${command.clientId} is already registered`);
      const name = command.name.trim();
      if (name.length === 0 || [...name].length > MAX_CLIENT_NAME_LENGTH) {
        return domainError('INVALID_CLIENT_NAME', `a client name is 1..${MAX_CLIENT_NAME_LENGTH} characters`);
      }
      if (CONTROL.test(name) || !isWellFormedText(name)) {
        return domainError('INVALID_CLIENT_NAME', 'a client name must be text without control characters');
      }
      return [{ type: 'ClientRegistered', data: { clientId: command.clientId, name, registeredAt: command.now } }];
    }
    case 'RevokeClient':
      if (state.status === 'NONE') return domainError('CLIENT_NOT_FOUND', `client ${command.clientId} is not registered`);
      // Revoking twice finds what it asked for: an idempotent retry.
      if (state.status === 'REVOKED') return [];
      return [{ type: 'ClientRevoked', data: { clientId: command.clientId, revokedAt: command.now } }];
  }
}

export const clientDecider = { decide: decideClient, evolve: evolveClient, initialState: initialClientState };
