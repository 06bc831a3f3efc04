/**
 * The server's own work per login without the gateway: the login state machine (src/auth) called
 * directly, on the bench system's key store (PostgreSQL) and a Redis session store, 50 logins at a
 * time. The client's part (its X25519 agreement, HKDF and proofs) is computed before the timed
 * part, so the figure is the gateway thread's CPU for levels 1-3 alone; the full WebSocket
 * figure minus this one is what the gateway itself costs (4 requests and replies per login).
 * Short TTLs: what the run leaves in Redis is gone within a minute.
 */
import { randomBytes } from 'node:crypto';
import type { VoterCredential, ClientApp } from '../src/client/client-login.ts';
import { clientMac } from '../src/client/client-login.ts';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from '../src/auth/auth-settings.ts';
import { createClientKeys } from '../src/auth/client-keys.ts';
import { createRateLimiter } from '../src/auth/rate-limiter.ts';
import { createRedisSessionStore } from '../src/auth/redis-session-store.ts';
import { deriveSessionKey, sessionProof } from '../src/auth/session-key.ts';
import { createTokenService } from '../src/auth/token-service.ts';
import { createVoterLogin, type LoginConnection } from '../src/auth/voter-login.ts';
import { silentLogger } from '../src/runtime/log.ts';
import { fromBase64url, toBase64url } from '../src/crypto/bytes.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../src/crypto/x25519.ts';
import { createMetricsRegistry } from '../src/runtime/metrics.ts';
import type { KeyStore } from '../src/keystore/port.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';

/** This (main) thread's CPU time in ms: the gateway's event loop, the serial bottleneck. */
const mainThreadCpuMs = (): number | undefined => {
  const ns = threadCpuNanos();
  return ns === undefined ? undefined : ns / 1e6;
};

const SHORT: AuthSettings = {
  ...DEFAULT_AUTH_SETTINGS,
  sessionKeyTtlMs: 60_000,
  accessTokenTtlMs: 30_000,
  expiredTokenMemoryMs: 30_000,
  refreshTokenTtlMs: 60_000,
  connectionWindowMs: 60_000,
};

/** Enough client computations for the 10 ms ticks of /proc to resolve a few µs each. */
const CLIENT_SAMPLES = 5_000;

export interface DirectLoginCost {
  logins: number;
  seconds: number;
  /** Main-thread CPU per login (µs), or undefined off Linux. */
  threadMicros: number | undefined;
}

export async function directLoginCost(keyStore: KeyStore, creds: VoterCredential[], client: ClientApp, concurrency = 50): Promise<DirectLoginCost> {
  const store = createRedisSessionStore(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: `evote-bench-direct-${randomBytes(4).toString('hex')}:` });
  try {
    const tokens = createTokenService({ store, settings: SHORT, now: Date.now });
    const electionId = creds[0]!.electionId;
    const login = createVoterLogin({
      store,
      keyStore,
      // The gateway reads the election's status from a 1 s cache: a constant here.
      elections: { get: async (id) => (id === electionId ? 'VOTE_STARTED' : undefined) },
      clientKeys: createClientKeys(keyStore, { ttlMs: SHORT.clientKeyCacheMs }),
      tokens,
      limiter: createRateLimiter(store, SHORT),
      settings: SHORT,
      now: Date.now,
      attempts: createMetricsRegistry().counter('evote_auth_attempts_total', 'bench', ['level', 'outcome']),
      log: silentLogger,
    });
    // One client pair for every login (the server's pair is fresh each time): its agreement with
    // each server key is still computed per login, before the timer.
    const own = generateX25519KeyPair();
    const clientPublicKey = toBase64url(own.publicKey);
    const macs = creds.map((c) => clientMac(client.clientKey, c.voterId));

    const run = async (count: number) => {
      const one = async (i: number) => {
        const cred = creds[i]!;
        const conn: LoginConnection = { id: `direct-${i}`, state: new Map() };
        const l1 = await login.level1(conn, cred);
        const l2 = await login.level2(conn, { clientId: client.clientId, mac: macs[i]! });
        const l3 = await login.beginLevel3(conn, { clientPublicKey });
        if (!l1.ok || !l2.ok || !l3.ok) throw new Error('a direct bench login was refused');
        const secret = x25519SharedSecret(own.privateKey, fromBase64url(l3.value.serverPublicKey)!);
        if (!secret.ok) throw new Error('bad server key');
        const key = deriveSessionKey(secret.value, fromBase64url(l3.value.nonce)!, cred.voterId, client.clientId);
        const done = await login.proveLevel3(conn, { sessionId: l3.value.sessionId, proof: toBase64url(sessionProof(key, cred.voterId)) });
        if (!done.ok) throw new Error(`a direct bench proof was refused: ${done.error.code}`);
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < count; i = next++) await one(i);
        }),
      );
    };

    // The client's share of one(): measured alone and subtracted.
    const clientThread0 = mainThreadCpuMs();
    for (let i = 0; i < CLIENT_SAMPLES; i++) {
      const s = x25519SharedSecret(own.privateKey, own.publicKey);
      if (s.ok) toBase64url(sessionProof(deriveSessionKey(s.value, own.publicKey, 'voter', 'client'), 'voter'));
      fromBase64url(clientPublicKey);
      fromBase64url(clientPublicKey);
    }
    const clientThread1 = mainThreadCpuMs();

    const count = Math.min(creds.length, 5_000);
    await run(Math.min(count, 500)); // warm-up
    const thread0 = mainThreadCpuMs();
    const start = performance.now();
    await run(count);
    const seconds = (performance.now() - start) / 1000;
    const thread1 = mainThreadCpuMs();
    const known = thread0 !== undefined && thread1 !== undefined && clientThread0 !== undefined && clientThread1 !== undefined;
    const threadMicros = known ? ((thread1 - thread0) / count) * 1000 - ((clientThread1 - clientThread0) / CLIENT_SAMPLES) * 1000 : undefined;
    return { logins: count, seconds, threadMicros };
  } finally {
    await store.close();
  }
}
