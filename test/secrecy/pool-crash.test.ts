/**
 * `kill -9` while ballots sit in the pool: a real server process (src/main.ts) on PostgreSQL takes
 * casts from 20 connections and is killed mid-stream; a new process on the same database then closes
 * the election. Every ballot that was acknowledged before the kill is in the log, before VotingEnded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { importPublicKey } from '../../src/client/voter-ballot.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { until } from '../support/system.ts';
import { mintCredentials } from '../ballots/fixture.ts';
import { freePort } from '../support/free-port.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

const CASTS = 400;

let db: Awaited<ReturnType<typeof createScratchPgDatabase>>;
let sql: SqlClient;
let store: EventStore;
const adminToken = randomBytes(24).toString('base64url');
const masterKey = randomBytes(32).toString('base64');

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATABASE_URL: db.url, EVOTE_PORT: String(port), EVOTE_ADMIN_TOKEN: adminToken, EVOTE_MASTER_KEY: masterKey, REDIS_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true, 30_000, 'the server to be ready');
  return child;
}

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url);
  store = await createSqlEventStore(sql);
});
afterAll(async () => {
  await store?.close();
  await sql?.close();
  await db?.drop();
});

describe('kill -9 with ballots in the pool', () => {
  it('loses no acknowledged ballot', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    let server = await startServer(port);
    const admin = await EvoteConnection.connect(url);
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Crash', choices: ['A', 'B'], expectedVoters: CASTS + 1 }, { token: adminToken });
    await admin.request('command', 'election.registerVoter', { electionId, email: 'crash@example.org' }, { token: adminToken });
    await admin.request('command', 'election.start', { electionId }, { token: adminToken });
    await admin.close();
    const created = (await store.readStream(electionStreamId(electionId), { limit: 1 }))[0]!.data as ElectionCreated['data'];
    const ballotKey = importPublicKey(created.ballotPublicKey);
    const tokens = await mintCredentials(store, electionId, CASTS);

    const acknowledged: string[] = [];
    const connections = await Promise.all(Array.from({ length: 20 }, () => EvoteConnection.connect(url, { timeoutMs: 10_000 })));
    let next = 0;
    const casting = Promise.all(
      connections.map(async (c) => {
        for (let i = next++; i < CASTS; i = next++) {
          const ciphertext = encryptBallotToText(ballotKey, electionId, new Uint8Array([i & 255, i >> 8]));
          try {
            const r = await c.request<{ ballotHash: string }>('command', 'ballot.cast', { electionId, n1: tokens[i]!.n1, ciphertext });
            acknowledged.push(r.ballotHash);
          } catch {
            return; // the server is gone
          }
        }
      }),
    );
    await until(() => acknowledged.length >= 100, 30_000, '100 acknowledged casts');
    server.kill('SIGKILL');
    await casting;
    await Promise.all(connections.map((c) => c.close().catch(() => {})));
    expect(acknowledged.length).toBeLessThan(CASTS);

    server = await startServer(port);
    try {
      const again = await EvoteConnection.connect(url);
      await again.request('command', 'election.end', { electionId }, { token: adminToken });
      await again.close();
      const log = await store.readAll({ limit: 100_000 });
      const inLog = new Set(log.filter((e) => e.type === 'BallotCast' && (e.data as { electionId: string }).electionId === electionId).map((e) => (e.data as { ballotHash: string }).ballotHash));
      const endedAt = log.find((e) => e.type === 'VotingEnded' && e.streamId === electionStreamId(electionId))!.position;
      expect(acknowledged.filter((h) => !inLog.has(h))).toEqual([]);
      expect(log.filter((e) => e.type === 'BallotCast' && (e.data as { electionId: string }).electionId === electionId).every((e) => e.position < endedAt)).toBe(true);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
