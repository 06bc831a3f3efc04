/**
 * PostgreSQL refusing connections under a running system (a scratch database of the test's own:
 * ALLOW_CONNECTIONS false and its backends terminated): casts answer SERVICE_UNAVAILABLE with service
 * 'database' within 2 s, never INTERNAL; once connections are allowed again casting resumes, and every
 * ballot acknowledged before, during or after is in the log when the election closes.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app/bootstrap.ts';
import { EvoteConnection } from '../../src/client/connection.ts';
import { importPublicKey } from '../../src/client/voter-ballot.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { electionStreamId } from '../../src/domain/streams.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { mintCredentials } from '../ballots/fixture.ts';
import { RawClient } from '../support/raw-ws.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { until } from '../support/system.ts';

const BOUND_MS = 2_000;
const CASTS = 400;
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let db: Awaited<ReturnType<typeof createScratchPgDatabase>>;
let dbName: string;
let system: System;
const adminToken = randomBytes(24).toString('base64url');

/** From an admin connection on another database: refuse new connections and end the open ones, or allow them again. */
async function allowConnections(allow: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(dbName)} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`);
    if (!allow) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  db = await createScratchPgDatabase();
  dbName = new URL(db.url).pathname.slice(1);
  system = await startSystem(
    { host: '127.0.0.1', port: 0, dataDir: './data/unused', databaseUrl: db.url, adminToken, masterKey: randomBytes(32).toString('base64'), maxFrameBytes: 1024 * 1024 },
    { gateway: true, log: silentLogger },
  );
}, 60_000);

afterAll(async () => {
  if (dbName) await allowConnections(true).catch(() => {});
  await system?.close();
  await db?.drop();
});

describe('PostgreSQL refusing connections', () => {
  it('answers SERVICE_UNAVAILABLE (database) within 2 s and loses no acknowledged ballot', { timeout: 90_000 }, async () => {
    const url = system.gateway!.url;
    const admin = await EvoteConnection.connect(url);
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Refusal', choices: ['A', 'B'], expectedVoters: CASTS + 1 }, { token: adminToken });
    await admin.request('command', 'election.registerVoter', { electionId, email: 'refusal@example.org' }, { token: adminToken });
    await admin.request('command', 'election.start', { electionId }, { token: adminToken });
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    const ballotKey = importPublicKey(row.ballotPublicKey!);
    const tokens = await mintCredentials(system.store, electionId, CASTS);

    const acknowledged: string[] = [];
    const refusals: { code: string; details?: Record<string, unknown>; ms: number; refused: boolean }[] = [];
    let refused = false;
    let next = 0;
    let stop = false;
    const sockets = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(url)));
    const casting = Promise.all(
      sockets.map(async (s, k) => {
        for (let i = next++; i < CASTS && !stop; i = next++) {
          const ciphertext = encryptBallotToText(ballotKey, electionId, new Uint8Array([i & 255, i >> 8]));
          const started = performance.now();
          const r = await s.request({ id: `c${k}-${i}`, kind: 'command', name: 'ballot.cast', payload: { electionId, n1: tokens[i]!.n1, ciphertext } });
          const ms = performance.now() - started;
          if (r.ok) acknowledged.push((r.result as { ballotHash: string }).ballotHash);
          else refusals.push({ code: r.error!.code, details: r.error!.details, ms, refused });
          // A refused client waits as told, as the reference client would.
          if (!r.ok) await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );

    await until(() => acknowledged.length >= 50, 30_000, '50 casts before the refusal');
    refused = true;
    await allowConnections(false);
    const ackedAtRefusal = acknowledged.length;
    await until(() => refusals.filter((r) => r.refused).length >= 20, 15_000, '20 refused casts');

    // /readyz names the database.
    const ready = await fetch(`${system.gateway!.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { down: string[] }).down).toContain('database');

    await allowConnections(true);
    refused = false;
    await until(() => acknowledged.length >= ackedAtRefusal + 50, 30_000, '50 casts after connections are allowed again');
    stop = true;
    await casting;
    for (const s of sockets) s.close();

    expect(refusals.length).toBeGreaterThanOrEqual(20);
    for (const r of refusals) {
      expect(r.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.details).toEqual({ service: 'database', retryAfterMs: 1000 });
      expect(r.ms).toBeLessThanOrEqual(BOUND_MS);
    }

    await admin.request('command', 'election.end', { electionId }, { token: adminToken, timeoutMs: 30_000 });
    await admin.close();
    const log = await system.store.readAll({ limit: 100_000 });
    const casts = log.filter((e) => e.type === 'BallotCast' && (e.data as { electionId: string }).electionId === electionId);
    const inLog = new Set(casts.map((e) => (e.data as { ballotHash: string }).ballotHash));
    expect(acknowledged.filter((h) => !inLog.has(h))).toEqual([]);
    const endedAt = log.find((e) => e.type === 'VotingEnded' && e.streamId === electionStreamId(electionId))!.position;
    expect(casts.every((e) => e.position < endedAt)).toBe(true);
  });
});
