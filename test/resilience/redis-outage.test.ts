/**
 * Redis killed under a running system (PostgreSQL + a private redis-server): logins, blind signatures
 * and subscriptions answer SERVICE_UNAVAILABLE within 2 s each, casts keep working, /readyz names the
 * services down, and once Redis is back on the same port everything works again without a restart.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app/bootstrap.ts';
import { EvoteConnection } from '../../src/client/connection.ts';
import { clientMac, loginVoter, type ClientApp, type VoterCredential } from '../../src/client/client-login.ts';
import { prepareBallot, importPublicKey } from '../../src/client/voter-ballot.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { toBase64url } from '../../src/crypto/bytes.ts';
import { generateX25519KeyPair } from '../../src/crypto/x25519.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { keyNames } from '../../src/keystore/port.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { mintCredentials } from '../ballots/fixture.ts';
import { RawClient, type RawReply } from '../support/raw-ws.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { until } from '../support/system.ts';
import { privateRedis, type PrivateRedis } from './private-redis.ts';

const BOUND_MS = 2_000;

let redis: PrivateRedis;
let db: Awaited<ReturnType<typeof createScratchPgDatabase>>;
let system: System;
let url: string;
let admin: EvoteConnection;
const adminToken = randomBytes(24).toString('base64url');
const raws: RawClient[] = [];

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  db = await createScratchPgDatabase();
  system = await startSystem(
    { host: '127.0.0.1', port: 0, dataDir: './data/unused', databaseUrl: db.url, redisUrl: redis.url, adminToken, masterKey: randomBytes(32).toString('base64'), maxFrameBytes: 1024 * 1024 },
    { gateway: true, log: silentLogger, redisPrefix: `evote-test-outage-${randomBytes(4).toString('hex')}:` },
  );
  url = system.gateway!.url;
  admin = await EvoteConnection.connect(url);
}, 60_000);

afterAll(async () => {
  for (const r of raws) r.close();
  await admin?.close();
  await system?.close();
  await db?.drop();
  await redis?.kill();
});

async function raw(): Promise<RawClient> {
  const r = await RawClient.connect(url);
  raws.push(r);
  return r;
}

let nextId = 0;
/** One request on a raw socket (no client-side retry), with how long the answer took. */
async function timed(c: RawClient, kind: string, name: string, payload: unknown, token?: string): Promise<{ reply: RawReply; ms: number }> {
  const started = performance.now();
  const reply = await c.request({ id: `t${nextId++}`, kind, name, payload, ...(token ? { token } : {}) });
  return { reply, ms: performance.now() - started };
}

function expectUnavailable(r: { reply: RawReply; ms: number }, service: string) {
  expect(r.reply.ok, JSON.stringify(r.reply)).toBe(false);
  expect(r.reply.error?.code).toBe('SERVICE_UNAVAILABLE');
  expect(r.reply.error?.details).toEqual({ service, retryAfterMs: 1000 });
  expect(r.ms).toBeLessThanOrEqual(BOUND_MS);
}

async function openElection(voters: number) {
  const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Outage', choices: ['A', 'B'], expectedVoters: voters + 10 }, { token: adminToken });
  const creds: VoterCredential[] = [];
  for (let i = 0; i < voters; i++) {
    const { voterId } = await admin.request<{ voterId: string }>('command', 'election.registerVoter', { electionId, email: `o${i}@example.org` }, { token: adminToken });
    const issued = issueSecretCode();
    await system.keyStore.put(keyNames.credential(electionId, voterId), issued.stored);
    creds.push({ electionId, voterId, secretCode: issued.secretCode });
  }
  await admin.request('command', 'election.start', { electionId }, { token: adminToken });
  const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
  return { electionId, creds, row };
}

const beginPayload = (v: VoterCredential, client: ClientApp) => ({
  electionId: v.electionId,
  voterId: v.voterId,
  secretCode: v.secretCode,
  clientId: client.clientId,
  mac: clientMac(client.clientKey, v.voterId),
  clientPublicKey: toBase64url(generateX25519KeyPair().publicKey),
});

describe('Redis down', () => {
  it('refuses what needs Redis within 2 s, keeps casting, and recovers without a restart', { timeout: 60_000 }, async () => {
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'Outage app' }, { token: adminToken });
    const main = await openElection(4);
    const other = await openElection(1);
    const minted = await mintCredentials(system.store, main.electionId, 3);
    const blinded = () =>
      prepareBallot({ electionId: main.electionId, choice: 'A', n2Commitment: 'c'.repeat(43), authorityPublicKey: main.row.authorityPublicKey! }).blindedMessage;
    const cast = (i: number) =>
      ({ electionId: main.electionId, n1: minted[i]!.n1, ciphertext: encryptBallotToText(importPublicKey(main.row.ballotPublicKey!), main.electionId, new Uint8Array([i])) });

    // Before the outage: a token to use during it, and a live subscription to keep across it.
    const before = await loginVoter(await EvoteConnection.connect(url), main.creds[0]!, client);
    const watcher = await raw();
    const watched = await timed(watcher, 'subscribe', 'election', { electionId: main.electionId });
    expect(watched.reply.ok).toBe(true);

    await redis.kill();

    const c = await raw();
    expectUnavailable(await timed(c, 'command', 'auth.begin', beginPayload(main.creds[1]!, client)), 'sessions');
    expectUnavailable(await timed(c, 'command', 'ballot.blindSign', { electionId: main.electionId, blindedMessage: blinded() }, before.accessToken), 'sessions');
    expectUnavailable(await timed(c, 'subscribe', 'election', { electionId: other.electionId }), 'pubsub');
    expectUnavailable(await timed(c, 'subscribe', 'board.watch', { electionId: other.electionId }), 'pubsub');
    // Many at once, one per socket (a socket's own login limit would answer first): each still bounded.
    const sockets = await Promise.all(Array.from({ length: 20 }, () => raw()));
    const burst = await Promise.all(sockets.map((s) => timed(s, 'command', 'auth.begin', beginPayload(main.creds[2]!, client))));
    for (const r of burst) expectUnavailable(r, 'sessions');

    const casted = await timed(c, 'command', 'ballot.cast', cast(0));
    expect(casted.reply.ok, JSON.stringify(casted.reply)).toBe(true);
    const query = await timed(c, 'query', 'election.get', { electionId: main.electionId });
    expect(query.reply.ok).toBe(true);

    const ready = await fetch(`${system.gateway!.httpUrl}/readyz`);
    // Degraded, not out: a balancer keeps sending casts here (docs/resilience.md, "/readyz").
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { status: string; down: string[]; checks: { name: string; ok: boolean }[] };
    expect(report.status).toBe('degraded');
    expect(report.down.sort()).toEqual(['pubsub', 'sessions']);
    expect(report.checks.find((k) => k.name === 'database')?.ok).toBe(true);

    await redis.start();

    // Back without restarting evote: logins, signatures, subscriptions, /readyz.
    let after: Awaited<ReturnType<typeof loginVoter>> | undefined;
    await until(async () => (after = await loginVoter(await EvoteConnection.connect(url), main.creds[3]!, client).catch(() => undefined)) !== undefined, 10_000, 'a login after Redis came back');
    const signed = await timed(c, 'command', 'ballot.blindSign', { electionId: main.electionId, blindedMessage: blinded() }, after!.accessToken);
    expect(signed.reply.ok, JSON.stringify(signed.reply)).toBe(true);
    await until(async () => ((await (await fetch(`${system.gateway!.httpUrl}/readyz`)).json()) as { status: string }).status === 'ready', 5_000, '/readyz to be ready again');
    expect((await timed(c, 'subscribe', 'election', { electionId: other.electionId })).reply.ok).toBe(true);
    expect((await timed(c, 'command', 'ballot.cast', cast(1))).reply.ok).toBe(true);

    // The subscription held across the outage hears a transition published after it.
    await admin.request('command', 'election.end', { electionId: main.electionId }, { token: adminToken });
    await until(
      () => (watcher as unknown as { inbox: RawReply[] }).inbox.some((m) => m.kind === 'event' && JSON.stringify(m).includes('"ended"')),
      10_000,
      'the held subscription to hear the end of voting',
    );
  });
});
