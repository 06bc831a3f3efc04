/** The client-application decider: given events, when a command, then events or an error. */
import { describe, expect, it } from 'vitest';
import { clientDecider, type ClientCommand } from '../../src/domain/client.ts';
import type { ClientEvent } from '../../src/domain/client-events.ts';
import { isDomainError } from '../../src/domain/errors.ts';

const NOW = '2030-01-01T00:00:00.000Z';
const registered: ClientEvent = { type: 'ClientRegistered', data: { clientId: 'c1', name: 'Voting app', registeredAt: NOW } };
const revoked: ClientEvent = { type: 'ClientRevoked', data: { clientId: 'c1', revokedAt: NOW } };

function given(events: ClientEvent[]) {
  const state = events.reduce(clientDecider.evolve, clientDecider.initialState);
  return {
    when: (command: ClientCommand) => {
      const out = clientDecider.decide(command, state);
      return {
        thenEvents: (expected: ClientEvent[]) => expect(out).toEqual(expected),
        thenError: (code: string) => {
          expect(isDomainError(out)).toBe(true);
          if (isDomainError(out)) expect(out.code).toBe(code);
        },
      };
    },
  };
}

describe('client decider', () => {
  it('registers a new client, name trimmed', () => {
    given([])
      .when({ type: 'RegisterClient', clientId: 'c1', name: '  Voting app ', now: NOW })
      .thenEvents([registered]);
  });

  it('refuses to register an id twice, even after revocation', () => {
    given([registered]).when({ type: 'RegisterClient', clientId: 'c1', name: 'Other', now: NOW }).thenError('CLIENT_ALREADY_EXISTS');
    given([registered, revoked]).when({ type: 'RegisterClient', clientId: 'c1', name: 'Other', now: NOW }).thenError('CLIENT_ALREADY_EXISTS');
  });

  it('refuses an empty or too long name (counted in code points)', () => {
    given([]).when({ type: 'RegisterClient', clientId: 'c1', name: '   ', now: NOW }).thenError('INVALID_CLIENT_NAME');
    given([]).when({ type: 'RegisterClient', clientId: 'c1', name: 'x'.repeat(101), now: NOW }).thenError('INVALID_CLIENT_NAME');
    given([]).when({ type: 'RegisterClient', clientId: 'c1', name: '🗳'.repeat(100), now: NOW }).thenEvents([
      { type: 'ClientRegistered', data: { clientId: 'c1', name: '🗳'.repeat(100), registeredAt: NOW } },
    ]);
  });

  it('refuses control characters and lone surrogates (jsonb could not store them)', () => {
    for (const name of ['a\u0000b', 'tab\there', 'del\u007f', 'half \ud800 pair']) {
      given([]).when({ type: 'RegisterClient', clientId: 'c1', name, now: NOW }).thenError('INVALID_CLIENT_NAME');
    }
  });

  it('revokes a registered client', () => {
    given([registered]).when({ type: 'RevokeClient', clientId: 'c1', now: NOW }).thenEvents([revoked]);
  });

  it('revoking twice is idempotent (no event), an unknown client is CLIENT_NOT_FOUND', () => {
    given([registered, revoked]).when({ type: 'RevokeClient', clientId: 'c1', now: NOW }).thenEvents([]);
    given([]).when({ type: 'RevokeClient', clientId: 'c1', now: NOW }).thenError('CLIENT_NOT_FOUND');
  });

  it('folds the status', () => {
    expect([registered].reduce(clientDecider.evolve, clientDecider.initialState)).toEqual({ status: 'ACTIVE', clientId: 'c1', name: 'Voting app' });
    expect([registered, revoked].reduce(clientDecider.evolve, clientDecider.initialState).status).toBe('REVOKED');
  });
});
