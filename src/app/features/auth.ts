/** The authentication feature (docs/auth.md); publishes `services.voterAuth` for later features. */
import type { FeatureFactory } from '../feature.ts';
import { authSettingsFrom } from '../auth-config.ts';
import { createClientKeys } from '../../auth/client-keys.ts';
import { electionStatusReader } from '../../auth/election-status.ts';
import { createMemorySessionStore } from '../../auth/memory-session-store.ts';
import { createRateLimiter } from '../../auth/rate-limiter.ts';
import { createTokenService } from '../../auth/token-service.ts';
import { createVoterLogin, voterAuthenticator } from '../../auth/voter-login.ts';
import { createClientCommandHandlers } from '../../commands/client-commands.ts';
import { authMessageModule } from '../../gateway/messages/auth.ts';
import { createX25519Agreement } from '../../auth/x25519-agreement.ts';

/** Registrations and revocations of client apps, so every process drops its cached key at once. */
export const CLIENT_KEYS_CHANNEL = 'evote:auth:client-keys';

export const authFeature: FeatureFactory = async (ctx) => {
  const settings = authSettingsFrom(ctx.config);
  const log = ctx.log.child({ component: 'auth' });
  // ioredis is loaded only when Redis is configured (an embedded server is spared its memory).
  const store = ctx.config.redisUrl
    ? (await import('../../auth/redis-session-store.ts')).createRedisSessionStore(ctx.config.redisUrl, { prefix: settings.redisPrefix, log })
    : createMemorySessionStore();
  const nowMs = () => ctx.now().getTime();

  const clientKeys = createClientKeys(ctx.keyStore, { ttlMs: settings.clientKeyCacheMs });
  ctx.services.clientKeys = clientKeys;
  const unsubscribe = await ctx.pubsub.subscribe(CLIENT_KEYS_CHANNEL, (message) => {
    const clientId = (message as { clientId?: unknown } | null)?.clientId;
    if (typeof clientId === 'string') clientKeys.evict(clientId);
  });
  const announce = async (clientId: string) => {
    clientKeys.evict(clientId);
    await ctx.pubsub.publish(CLIENT_KEYS_CHANNEL, { clientId });
  };
  const registrar = createClientCommandHandlers({ store: ctx.store, keyStore: ctx.keyStore, now: ctx.now, newId: ctx.newId, onRevoked: announce });
  const clients = {
    ...registrar,
    // A process that cached "unknown" for this id a moment ago must look again.
    async registerClient(input: { name: string }) {
      const r = await registrar.registerClient(input);
      if (r.ok) await announce(r.value.clientId);
      return r;
    },
  };

  const tokens = createTokenService({ store, settings, now: nowMs });
  const attempts = ctx.metrics.counter('evote_auth_attempts_total', 'Voter authentication attempts by level and outcome', ['level', 'outcome']);
  const x25519 = createX25519Agreement();
  const login = createVoterLogin({
    x25519,
    store,
    keyStore: ctx.keyStore,
    elections: electionStatusReader(ctx.election.status),
    clientKeys,
    tokens,
    limiter: createRateLimiter(store, settings, { log }),
    settings,
    now: nowMs,
    attempts,
    log,
  });
  ctx.services.voterAuth = voterAuthenticator(tokens);

  return {
    name: 'auth',
    messages: authMessageModule({ login, tokens, clients, attempts }),
    readiness: [{ name: 'sessions', check: () => store.ping(), degradesOnly: true }],
    async close() {
      await unsubscribe();
      await x25519.close();
      await store.close();
    },
  };
};
