/**
 * Client application commands: registration mints the app's HMAC key (shown once, kept in the key
 * store), revocation deletes it; the stream never holds the key.
 */
import { randomBytes } from 'node:crypto';
import type { EventStore } from '../eventstore/port.ts';
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';
import type { Result } from '../domain/errors.ts';
import { clientDecider } from '../domain/client.ts';
import { domainError } from '../domain/errors.ts';
import { toBase64url } from '../crypto/bytes.ts';
import { handleCommand, loadAggregate } from './command-handler.ts';
import { clientStreamId } from '../domain/streams.ts';

export const CLIENT_KEY_BYTES = 32;

export interface ClientCommandHandlers {
  /** The key is returned here and never again: the caller must hand it to the app's operator. */
  registerClient(input: { name: string }): Promise<Result<{ clientId: string; clientKey: string; position: number }>>;
  revokeClient(input: { clientId: string }): Promise<Result<{ position: number }>>;
}

export interface ClientCommandDeps {
  store: EventStore;
  keyStore: KeyStore;
  now: () => Date;
  newId: () => string;
  /** Told after a revocation so every process's key cache drops the key at once. */
  onRevoked?: (clientId: string) => Promise<void>;
}

export function createClientCommandHandlers(deps: ClientCommandDeps): ClientCommandHandlers {
  const { store, keyStore } = deps;
  return {
    async registerClient({ name }) {
      const clientId = deps.newId();
      const key = new Uint8Array(randomBytes(CLIENT_KEY_BYTES));
      // Key first, event second: a client in the log always has a key; a refused append removes it again.
      if (!(await keyStore.putIfAbsent(keyNames.client(clientId), key))) {
        return { ok: false, error: domainError('CLIENT_ALREADY_EXISTS', `client ${clientId} is already registered`) };
      }
      try {
        const r = await handleCommand(store, clientDecider, clientStreamId(clientId), { type: 'RegisterClient', clientId, name, now: deps.now().toISOString() });
        if (!r.ok) {
          await keyStore.delete(keyNames.client(clientId));
          return r;
        }
        return { ok: true, value: { clientId, clientKey: toBase64url(key), position: r.value.position } };
      } catch (err) {
        await keyStore.delete(keyNames.client(clientId)).catch(() => false);
        throw err;
      }
    },

    async revokeClient({ clientId }) {
      const streamId = clientStreamId(clientId);
      const { state } = await loadAggregate(store, clientDecider, streamId);
      if (state.status === 'NONE') return { ok: false, error: domainError('CLIENT_NOT_FOUND', `client ${clientId} is not registered`) };
      // Fail closed: a crash between the two leaves a client that cannot authenticate, never the reverse.
      await keyStore.delete(keyNames.client(clientId));
      await deps.onRevoked?.(clientId);
      const r = await handleCommand(store, clientDecider, streamId, { type: 'RevokeClient', clientId, now: deps.now().toISOString() });
      return r.ok ? { ok: true, value: { position: r.value.position } } : r;
    },
  };
}
