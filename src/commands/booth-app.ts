/**
 * The web booth's voting application: `booth.setApp` (admin) records which registered client the
 * browser booth uses; `booth.app` (public) hands out that client's id and key. A web page keeps no
 * secret, so this key is public by design (docs/web.md, "The web booth's voting application").
 */
import type { EventStore } from '../eventstore/port.ts';
import type { Result } from '../domain/errors.ts';
import { domainError } from '../domain/errors.ts';
import { boothDecider } from '../domain/booth.ts';
import { clientDecider } from '../domain/client.ts';
import { BOOTH_APP_STREAM_ID, clientStreamId } from '../domain/streams.ts';
import { toBase64url } from '../crypto/bytes.ts';
import { handleCommand, loadAggregate } from './command-handler.ts';

export interface BoothAppHandlers {
  setApp(input: { clientId: string }): Promise<Result<{ clientId: string; position: number }>>;
  /** The booth's client id and key; BOOTH_APP_NOT_SET or BOOTH_DISABLED (revoked) otherwise. */
  app(): Promise<Result<{ clientId: string; clientKey: string }>>;
}

export interface BoothAppDeps {
  store: EventStore;
  /** The client's HMAC key, undefined once revoked (src/auth/client-keys.ts: cached, evicted on revocation). */
  clientKey(clientId: string): Promise<Uint8Array | undefined>;
  now: () => Date;
}

export function createBoothAppHandlers(deps: BoothAppDeps): BoothAppHandlers {
  return {
    async setApp({ clientId }) {
      const client = await loadAggregate(deps.store, clientDecider, clientStreamId(clientId));
      const r = await handleCommand(deps.store, boothDecider, BOOTH_APP_STREAM_ID, {
        type: 'SetBoothApp',
        clientId,
        clientStatus: client.state.status,
        now: deps.now().toISOString(),
      });
      return r.ok ? { ok: true, value: { clientId, position: r.value.position } } : r;
    },

    async app() {
      const { state } = await loadAggregate(deps.store, boothDecider, BOOTH_APP_STREAM_ID);
      if (state.clientId === null) return { ok: false, error: domainError('BOOTH_APP_NOT_SET', 'no voting application is set for the web booth (booth.setApp)') };
      // Revocation deletes the key before it records the revocation: no key, no booth.
      const key = await deps.clientKey(state.clientId);
      if (!key) return { ok: false, error: domainError('BOOTH_DISABLED', "the web booth's voting application was revoked") };
      return { ok: true, value: { clientId: state.clientId, clientKey: toBase64url(key) } };
    },
  };
}
