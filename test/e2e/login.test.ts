/**
 * The three-level voter login over the real gateway: two processes on one PostgreSQL database and
 * the real Redis (sessions, tokens and counters shared), and every refusal the issue names, each
 * with its code. Voters get their secret codes the way credential issuance stores them
 * (issueSecretCode → key store under keyNames.credential).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { clientMac, loginVoter, type ClientApp, type VoterCredential } from '../../src/client/client-login.ts';
import { hashForKey } from '../../src/auth/session-store.ts';
import type { TokenPair } from '../../src/auth/token-service.ts';
import type { AuthSettings } from '../../src/auth/auth-settings.ts';
import type { Config } from '../../src/app/config.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { toBase64url } from '../../src/crypto/bytes.ts';
import { generateX25519KeyPair } from '../../src/crypto/x25519.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { REDIS_URL, startTestCluster, type TestCluster } from '../support/system.ts';
import { level3 } from '../support/level3.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Election {
  cluster: TestCluster;
  /** The session store's Redis key prefix of this cluster. */
  redisPrefix: string;
  electionId: string;
  voters: VoterCredential[];
  client: ClientApp;
}

async function startCluster(auth: Partial<AuthSettings>, processes = 1): Promise<{ cluster: TestCluster; redisPrefix: string }> {
  const redisPrefix = `evote-test-login-${randomBytes(6).toString('hex')}:`;
  // Config has no `auth` field yet; the auth feature reads it structurally (src/auth/auth-settings.ts).
  const cluster = await startTestCluster({ processes, config: { auth: { ...auth, redisPrefix } } as Partial<Config> });
  return { cluster, redisPrefix };
}

/** An election in VOTE_STARTED with `count` voters holding secret codes, and a registered client app. */
async function openElection({ cluster, redisPrefix }: { cluster: TestCluster; redisPrefix: string }, count: number): Promise<Election> {
  const token = cluster.adminToken;
  const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
  try {
    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Login test', choices: ['Yes', 'No'], expectedVoters: count },
      { token },
    );
    const voters: VoterCredential[] = [];
    for (let i = 0; i < count; i++) {
      const { voterId } = await admin.request<{ voterId: string }>('command', 'election.registerVoter', { electionId, email: `v${i}@example.org` }, { token });
      const issued = issueSecretCode();
      await cluster.systems[0]!.keyStore.put(keyNames.credential(electionId, voterId), issued.stored);
      voters.push({ electionId, voterId, secretCode: issued.secretCode });
    }
    await admin.request('command', 'election.start', { electionId }, { token });
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'Reference app' }, { token });
    return { cluster, redisPrefix, electionId, voters, client };
  } finally {
    await admin.close();
  }
}

/** Resolves to the error code of a refused request (fails the test when it is accepted). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof EvoteError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal, the request was accepted');
}

/** Another secret code of the right shape (a real one, of no voter). */
const strangerCode = () => issueSecretCode().secretCode;

const connections: EvoteConnection[] = [];
async function connect(e: Election, process = 0): Promise<EvoteConnection> {
  const c = await EvoteConnection.connect(e.cluster.systems[process]!.gateway!.url);
  connections.push(c);
  return c;
}

/**
 * A bare WebSocket client bound to a loopback address of its choosing, so the gateway sees another
 * source: an attacker does not use the reference client. `send` resolves with the reply's error
 * code, or 'OK'.
 */
interface RawReply {
  ok: boolean;
  error?: { code: string; details?: { retryAfterMs?: number } };
}

async function rawClient(e: Election, localAddress: string, process = 0) {
  const ws = new WebSocket(e.cluster.systems[process]!.gateway!.url, { localAddress });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiting = new Map<string, (reply: RawReply) => void>();
  ws.on('message', (data) => {
    const reply = JSON.parse(data.toString()) as RawReply & { id: string };
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  let next = 0;
  const reply = (name: string, payload: unknown): Promise<RawReply> => {
    const id = `a${next++}`;
    ws.send(JSON.stringify({ id, kind: 'command', name, payload }));
    return new Promise((resolve) => waiting.set(id, resolve));
  };
  return {
    reply,
    send: async (name: string, payload: unknown) => {
      const r = await reply(name, payload);
      return r.ok ? 'OK' : r.error!.code;
    },
    close: () => ws.close(),
  };
}

/**
 * `count` wrong codes for `v` on each of `connections` fresh connections from `address`, the
 * connections in parallel; each connection's codes one after another, or all at once.
 */
async function wrongCodeFlood(e: Election, v: VoterCredential, address: string, connections: number, count: number, atOnce = false): Promise<string[]> {
  const clients = await Promise.all(Array.from({ length: connections }, (_, i) => rawClient(e, address, i % e.cluster.systems.length)));
  const l1 = () => ({ electionId: v.electionId, voterId: v.voterId, secretCode: strangerCode() });
  const oneConnection = async (c: Awaited<ReturnType<typeof rawClient>>) => {
    if (atOnce) return Promise.all(Array.from({ length: count }, () => c.send('auth.level1', l1())));
    const codes: string[] = [];
    for (let i = 0; i < count; i++) codes.push(await c.send('auth.level1', l1()));
    return codes;
  };
  try {
    return (await Promise.all(clients.map(oneConnection))).flat();
  } finally {
    for (const c of clients) c.close();
  }
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

async function levels12(conn: EvoteConnection, v: VoterCredential, client: ClientApp) {
  await conn.request('command', 'auth.level1', { electionId: v.electionId, voterId: v.voterId, secretCode: v.secretCode });
  await conn.request('command', 'auth.level2', { clientId: client.clientId, mac: clientMac(client.clientKey, v.voterId) });
}

let main: Election;
let tight: Election;
let short: Election;

beforeAll(async () => {
  // Main: two gateways; every test client is on 127.0.0.1, so the per-address limit is out of the way.
  main = await openElection(await startCluster({ connectionMaxFailures: 20, sourceMaxFailures: 1_000_000 }, 2), 16);
  // Small limits, to watch them refuse a flood; two gateways sharing the per-address count.
  tight = await openElection(
    await startCluster({ connectionMaxFailures: 3, sourceMaxFailures: 10, sourceWindowMs: 2_000, sourceMaxInFlight: 2, sourceMaxQueued: 8 }, 2),
    2,
  );
  // Short-lived session keys and access tokens, for the expiry tests.
  short = await openElection(await startCluster({ sessionKeyTtlMs: 400, accessTokenTtlMs: 400 }), 2);
});

afterAll(async () => {
  for (const c of connections) await c.close().catch(() => {});
  await main?.cluster.close();
  await tight?.cluster.close();
  await short?.cluster.close();
});

describe('voter login over WebSocket', () => {
  it('logs a voter in through the three levels; the access token names the voter on any gateway', async () => {
    const v = main.voters[0]!;
    const conn = await connect(main, 0);
    const tokens = await loginVoter(conn, v, main.client);
    expect(tokens.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.expiresIn).toBe(15 * 60);

    const elsewhere = await connect(main, 1);
    expect(await elsewhere.request('query', 'auth.whoami', {}, { token: tokens.accessToken })).toEqual({
      electionId: main.electionId,
      voterId: v.voterId,
      clientId: main.client.clientId,
    });
  });

  it('refuses a wrong secret code, another voter’s code and an unknown voter with one code', async () => {
    const [a, b] = [main.voters[2]!, main.voters[3]!];
    const conn = await connect(main);
    const l1 = (voterId: string, secretCode: string) => conn.request('command', 'auth.level1', { electionId: main.electionId, voterId, secretCode });
    expect(await refusal(l1(a.voterId, strangerCode()))).toBe('INVALID_CREDENTIALS');
    expect(await refusal(l1(a.voterId, b.secretCode))).toBe('INVALID_CREDENTIALS');
    expect(await refusal(l1('no-such-voter', a.secretCode))).toBe('INVALID_CREDENTIALS');
    // A malformed code never reaches the check: the schema refuses it.
    expect(await refusal(l1(a.voterId, 'short'))).toBe('INVALID_PAYLOAD');
  });

  it('refuses levels out of order', async () => {
    const v = main.voters[4]!;
    const conn = await connect(main);
    expect(await refusal(conn.request('command', 'auth.level2', { clientId: main.client.clientId, mac: clientMac(main.client.clientKey, v.voterId) }))).toBe('AUTH_SEQUENCE');
    expect(await refusal(conn.request('command', 'auth.level3.begin', { clientPublicKey: toBase64url(generateX25519KeyPair().publicKey) }))).toBe('AUTH_SEQUENCE');
    await conn.request('command', 'auth.level1', { electionId: v.electionId, voterId: v.voterId, secretCode: v.secretCode });
    expect(await refusal(conn.request('command', 'auth.level3.begin', { clientPublicKey: toBase64url(generateX25519KeyPair().publicKey) }))).toBe('AUTH_SEQUENCE');
  });

  it('refuses a wrong client key, an unknown client, and a revoked client at level 2', async () => {
    const v = main.voters[5]!;
    const conn = await connect(main);
    const l1 = () => conn.request('command', 'auth.level1', { electionId: v.electionId, voterId: v.voterId, secretCode: v.secretCode });
    const wrongKey = toBase64url(new Uint8Array(randomBytes(32)));
    await l1();
    expect(await refusal(conn.request('command', 'auth.level2', { clientId: main.client.clientId, mac: clientMac(wrongKey, v.voterId) }))).toBe('INVALID_CLIENT_PROOF');
    // A failure sends the connection back to level 1.
    expect(await refusal(conn.request('command', 'auth.level2', { clientId: main.client.clientId, mac: clientMac(main.client.clientKey, v.voterId) }))).toBe('AUTH_SEQUENCE');
    await l1();
    expect(await refusal(conn.request('command', 'auth.level2', { clientId: 'no-such-client', mac: clientMac(main.client.clientKey, v.voterId) }))).toBe('INVALID_CLIENT_PROOF');

    const token = main.cluster.adminToken;
    const admin = await connect(main, 0);
    const doomed = await admin.request<ClientApp>('command', 'clients.register', { name: 'Doomed app' }, { token });
    await loginVoter(await connect(main, 1), v, doomed); // works while registered (cached on gateway 1)
    await admin.request('command', 'clients.revoke', { clientId: doomed.clientId }, { token });
    // Revocation reaches the other gateway's cache through pub/sub.
    const conn1 = await connect(main, 1);
    expect(await refusal(loginVoter(conn1, v, doomed))).toBe('INVALID_CLIENT_PROOF');
    expect(await admin.request('command', 'clients.revoke', { clientId: doomed.clientId }, { token })).toHaveProperty('position');
    expect(await refusal(admin.request('command', 'clients.revoke', { clientId: 'never-registered' }, { token }))).toBe('CLIENT_NOT_FOUND');
    expect(await refusal(admin.request('command', 'clients.register', { name: 'x' }))).toBe('UNAUTHORIZED');
  });

  it('refuses a small-order X25519 key', async () => {
    const v = main.voters[6]!;
    const conn = await connect(main);
    await levels12(conn, v, main.client);
    const zero = toBase64url(new Uint8Array(32));
    expect(await refusal(conn.request('command', 'auth.level3.begin', { clientPublicKey: zero }))).toBe('INVALID_PUBLIC_KEY');
  });

  it('refuses a mismatched level-3 proof, and a replayed one', async () => {
    const v = main.voters[7]!;
    const conn = await connect(main);
    await levels12(conn, v, main.client);
    const { sessionId } = await level3(conn, v, main.client);
    const mismatched = toBase64url(new Uint8Array(randomBytes(32)));
    expect(await refusal(conn.request('command', 'auth.level3.prove', { sessionId, proof: mismatched }))).toBe('INVALID_SESSION_PROOF');

    // A proof computed for another voter's key does not fit either.
    await levels12(conn, v, main.client);
    const other = await level3(conn, v, main.client);
    const otherVoterConn = await connect(main);
    await levels12(otherVoterConn, main.voters[8]!, main.client);
    const alien = await level3(otherVoterConn, main.voters[8]!, main.client);
    expect(await refusal(conn.request('command', 'auth.level3.prove', { sessionId: other.sessionId, proof: alien.proof }))).toBe('INVALID_SESSION_PROOF');

    // Replay: the genuine proof works once; on the same connection again it is out of sequence,
    // and an attacker connection that passed levels 1-2 gets SESSION_ALREADY_USED.
    await levels12(conn, v, main.client);
    const genuine = await level3(conn, v, main.client);
    const tokens = await conn.request<TokenPair>('command', 'auth.level3.prove', genuine);
    expect(tokens.accessToken).toBeTruthy();
    expect(await refusal(conn.request('command', 'auth.level3.prove', genuine))).toBe('AUTH_SEQUENCE');
    const attacker = await connect(main, 1);
    await levels12(attacker, v, main.client);
    await level3(attacker, v, main.client);
    expect(await refusal(attacker.request('command', 'auth.level3.prove', genuine))).toBe('SESSION_ALREADY_USED');
  });

  it('refuses an expired session key after its Redis TTL really elapsed; level 3 can begin again', async () => {
    const v = short.voters[0]!;
    const conn = await connect(short);
    await levels12(conn, v, short.client);
    const pending = await level3(conn, v, short.client);
    const redis = new Redis(REDIS_URL);
    try {
      const key = `${short.redisPrefix}l3:${hashForKey(pending.sessionId)}`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(400);
      await sleep(600);
      // Redis itself dropped the session key: the refusal below is Redis's TTL, not a clock check.
      expect(await redis.exists(key)).toBe(0);
    } finally {
      await redis.quit();
    }
    expect(await refusal(conn.request('command', 'auth.level3.prove', pending))).toBe('SESSION_EXPIRED');
    const again = await level3(conn, v, short.client);
    const tokens = await conn.request<TokenPair>('command', 'auth.level3.prove', again);
    expect(tokens.accessToken).toBeTruthy();
  });

  it('refuses an expired access token with TOKEN_EXPIRED; a refresh gives a working one', async () => {
    const v = short.voters[1]!;
    const conn = await connect(short);
    const tokens = await loginVoter(conn, v, short.client);
    expect(await conn.request('query', 'auth.whoami', {}, { token: tokens.accessToken })).toHaveProperty('voterId', v.voterId);
    await sleep(600);
    expect(await refusal(conn.request('query', 'auth.whoami', {}, { token: tokens.accessToken }))).toBe('TOKEN_EXPIRED');
    const next = await conn.request<TokenPair>('command', 'auth.refresh', { refreshToken: tokens.refreshToken });
    expect(await conn.request('query', 'auth.whoami', {}, { token: next.accessToken })).toHaveProperty('voterId', v.voterId);
    expect(await refusal(conn.request('query', 'auth.whoami', {}))).toBe('UNAUTHENTICATED');
  });

  it('a reused refresh token revokes the family: the newer tokens stop working too', async () => {
    const v = main.voters[9]!;
    const conn = await connect(main);
    const first = await loginVoter(conn, v, main.client);
    const second = await conn.request<TokenPair>('command', 'auth.refresh', { refreshToken: first.refreshToken });
    expect(await conn.request('query', 'auth.whoami', {}, { token: second.accessToken })).toHaveProperty('voterId', v.voterId);

    const thief = await connect(main, 1);
    expect(await refusal(thief.request('command', 'auth.refresh', { refreshToken: first.refreshToken }))).toBe('REFRESH_TOKEN_REUSED');
    expect(await refusal(conn.request('query', 'auth.whoami', {}, { token: second.accessToken }))).toBe('UNAUTHENTICATED');
    expect(await refusal(conn.request('command', 'auth.refresh', { refreshToken: second.refreshToken }))).toBe('INVALID_REFRESH_TOKEN');
    expect(await refusal(conn.request('command', 'auth.refresh', { refreshToken: toBase64url(new Uint8Array(randomBytes(32))) }))).toBe('INVALID_REFRESH_TOKEN');
  });

  it('logout revokes the login', async () => {
    const v = main.voters[10]!;
    const conn = await connect(main);
    const tokens = await loginVoter(conn, v, main.client);
    expect(await conn.request('command', 'auth.logout', {}, { token: tokens.accessToken })).toEqual({ loggedOut: true });
    expect(await refusal(conn.request('query', 'auth.whoami', {}, { token: tokens.accessToken }))).toBe('UNAUTHENTICATED');
    expect(await refusal(conn.request('command', 'auth.refresh', { refreshToken: tokens.refreshToken }))).toBe('INVALID_REFRESH_TOKEN');
    expect(await refusal(conn.request('command', 'auth.logout', {}, { token: tokens.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('1,000 wrong codes for a voter from 50 connections are all checked, and the right code logs in right after', async () => {
    const v = main.voters[11]!;
    const codes = await wrongCodeFlood(main, v, '127.0.0.1', 50, 20);
    // Nothing counts per voter: each wrong code was checked, none locked the voter.
    expect(tally(codes)).toEqual({ INVALID_CREDENTIALS: 1_000 });
    const tokens = await loginVoter(await connect(main, 1), v, main.client);
    expect(tokens.accessToken).toBeTruthy();
  });

  it('20 concurrent valid logins of one voter all succeed', async () => {
    const v = main.voters[12]!;
    const conns = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(main, i % 2)));
    const logins = await Promise.allSettled(conns.map((c) => loginVoter(c, v, main.client)));
    expect(logins.map((l) => (l.status === 'fulfilled' ? 'OK' : (l.reason as EvoteError).code))).toEqual(Array(20).fill('OK'));
  });

  it('a flood from one address is refused by its limit; the voter it names logs in from elsewhere', async () => {
    const v = tight.voters[0]!;
    const codes = await wrongCodeFlood(tight, v, '127.0.0.2', 50, 20, true);
    const counts = tally(codes);
    expect(Object.keys(counts).sort()).toEqual(['INVALID_CREDENTIALS', 'RATE_LIMITED']);
    // At most the limit plus the checks in flight on each gateway reach the secret code.
    expect(counts.INVALID_CREDENTIALS).toBeGreaterThanOrEqual(10);
    expect(counts.INVALID_CREDENTIALS).toBeLessThanOrEqual(10 + 2 * 2);
    expect(await loginVoter(await connect(tight, 1), v, tight.client)).toHaveProperty('accessToken');

    // The address waits out its window, on either gateway, and is then heard again.
    const l1 = { electionId: v.electionId, voterId: v.voterId, secretCode: v.secretCode };
    const [late0, late1] = [await rawClient(tight, '127.0.0.2', 0), await rawClient(tight, '127.0.0.2', 1)];
    const refused = [await late0.reply('auth.level1', l1), await late1.reply('auth.level1', l1)];
    expect(refused.map((r) => r.error?.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    const waitMs = Math.max(...refused.map((r) => r.error!.details!.retryAfterMs!));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(2_000);
    await sleep(waitMs + 50);
    expect(await late0.send('auth.level1', l1)).toBe('OK');
    late0.close();
    late1.close();
  });

  it('a connection is refused after its failures and runs one check at a time; the address is not', async () => {
    const v = tight.voters[1]!;
    const conn = await rawClient(tight, '127.0.0.3');
    const l1 = (secretCode: string) => conn.send('auth.level1', { electionId: v.electionId, voterId: v.voterId, secretCode });
    // Sent at once: one is checked, the others refused without looking at the code.
    expect(tally(await Promise.all(Array.from({ length: 30 }, () => l1(strangerCode()))))).toEqual({ INVALID_CREDENTIALS: 1, RATE_LIMITED: 29 });
    expect(await l1(strangerCode())).toBe('INVALID_CREDENTIALS');
    expect(await l1(strangerCode())).toBe('INVALID_CREDENTIALS');
    // Its limit (3) is reached: even the right code waits for the connection's window.
    expect(await l1(v.secretCode)).toBe('RATE_LIMITED');
    conn.close();
    const other = await rawClient(tight, '127.0.0.3');
    expect(await other.send('auth.level1', { electionId: v.electionId, voterId: v.voterId, secretCode: v.secretCode })).toBe('OK');
    other.close();
  });

  it('refuses login while the election is not open', async () => {
    const token = main.cluster.adminToken;
    const admin = await connect(main);
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Later', choices: ['A', 'B'], expectedVoters: 1 }, { token });
    const conn = await connect(main);
    expect(await refusal(conn.request('command', 'auth.level1', { electionId, voterId: 'v', secretCode: strangerCode() }))).toBe('WRONG_STATE');
    expect(await refusal(conn.request('command', 'auth.level1', { electionId: 'no-such-election', voterId: 'v', secretCode: strangerCode() }))).toBe('ELECTION_NOT_FOUND');
  });

  it('no secret reaches the event log, the metrics or Redis keys', async () => {
    const v = main.voters[14]!;
    const tokens = await loginVoter(await connect(main), v, main.client);
    const events = await main.cluster.systems[0]!.store.readAll();
    const log = JSON.stringify(events);
    const secrets = [main.client.clientKey, tokens.accessToken, tokens.refreshToken, ...main.voters.map((x) => x.secretCode)];
    for (const s of secrets) expect(log).not.toContain(s);
    expect(events.some((e) => e.type === 'ClientRegistered')).toBe(true);

    const metrics = await (await fetch(`${main.cluster.systems[0]!.gateway!.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/evote_auth_attempts_total\{level="l3_prove",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/evote_auth_attempts_total\{level="l1",outcome="invalid_credentials"\} \d+/);
    for (const s of [...secrets, v.voterId]) expect(metrics).not.toContain(s);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys('*');
      const joined = keys.join('\n');
      for (const s of secrets) expect(joined).not.toContain(s);
    } finally {
      await redis.quit();
    }
  });
});
