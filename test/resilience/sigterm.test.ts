/**
 * SIGTERM to the real server (src/main.ts in a child process) while Redis or PostgreSQL is down: it
 * exits within the drain timeout plus 5 s, with code 0 since nothing was left unanswered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../src/gateway/gateway.ts';
import { freePort } from '../support/free-port.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { until } from '../support/system.ts';
import { privateRedis, type PrivateRedis } from './private-redis.ts';

const BOUND_MS = DEFAULT_DRAIN_TIMEOUT_MS + 5_000;
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const adminToken = randomBytes(24).toString('base64url');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, EVOTE_PORT: String(port), EVOTE_ADMIN_TOKEN: adminToken, EVOTE_MASTER_KEY: randomBytes(32).toString('base64'), REDIS_URL: '', ...env },
    stdio: ['ignore', 'ignore', process.env.FF_DEBUG ? 'inherit' : 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true, 90_000, 'the server to be ready');
  return { child, port, exited };
}

/** An election with a live subscription, so shutdown has pub/sub channels and sockets to release. */
async function watchAnElection(port: number): Promise<EvoteConnection> {
  const c = await EvoteConnection.connect(`ws://127.0.0.1:${port}/ws`);
  const { electionId } = await c.request<{ electionId: string }>('command', 'election.create', { theme: 'Stop', choices: ['A', 'B'], expectedVoters: 1 }, { token: adminToken });
  await c.subscribe('election', { electionId }, () => {});
  return c;
}

async function sigterm(server: { child: ChildProcess; exited: Promise<number | null> }): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  server.child.kill('SIGTERM');
  const code = await Promise.race([server.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), BOUND_MS + 5_000))]);
  const ms = performance.now() - started;
  if (code === 'late') throw new Error(`still running ${Math.round(ms)} ms after SIGTERM`);
  return { code, ms };
}

describe('SIGTERM with a service down', () => {
  it('Redis down: exits 0 within the drain timeout plus 5 s', { timeout: 150_000 }, async () => {
    const redis: PrivateRedis = await privateRedis();
    cleanups.push(() => redis.kill());
    await redis.start();
    const db = await createScratchPgDatabase();
    cleanups.push(() => db.drop());
    const server = await startServer({ DATABASE_URL: db.url, REDIS_URL: redis.url });
    const watcher = await watchAnElection(server.port);
    cleanups.push(() => watcher.close());

    await redis.kill();
    const { code, ms } = await sigterm(server);
    if (process.env.FF_DEBUG) console.log('shutdown ms', ms);
    expect(ms).toBeLessThanOrEqual(BOUND_MS);
    expect(code).toBe(0);
  });

  it('PostgreSQL refusing connections: exits 0 within the drain timeout plus 5 s', { timeout: 150_000 }, async () => {
    const db = await createScratchPgDatabase();
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    cleanups.push(async () => {
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} ALLOW_CONNECTIONS true`);
      await admin.end();
      await db.drop();
    });
    const server = await startServer({ DATABASE_URL: db.url });
    const watcher = await watchAnElection(server.port);
    cleanups.push(() => watcher.close());

    await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    const { code, ms } = await sigterm(server);
    if (process.env.FF_DEBUG) console.log('shutdown ms', ms);
    expect(ms).toBeLessThanOrEqual(BOUND_MS);
    expect(code).toBe(0);
  });
});
