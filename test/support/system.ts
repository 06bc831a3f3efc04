/**
 * Starts real evote processes for tests: the same composition as `npm start` (src/app/bootstrap.ts),
 * on a scratch PostgreSQL database, real Redis pub/sub and an ephemeral port.
 */
import { randomBytes } from 'node:crypto';
import { createScratchPgDatabase } from './scratch-db.ts';
import { startSystem, type System } from '../../src/app/bootstrap.ts';
import type { Config } from '../../src/app/config.ts';
import { silentLogger, type Logger } from '../../src/runtime/log.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestCluster {
  databaseUrl: string;
  adminToken: string;
  systems: System[];
  close(): Promise<void>;
}

/** `processes` gateways sharing one Postgres database and one Redis, like a scaled-out deployment. */
export async function startTestCluster(opts: { processes?: number; config?: Partial<Config>; log?: Logger } = {}): Promise<TestCluster> {
  const db = await createScratchPgDatabase();
  const adminToken = randomBytes(24).toString('base64url');
  const masterKey = randomBytes(32).toString('base64');
  const redisPrefix = `evote-test-${randomBytes(6).toString('hex')}:`;
  const systems: System[] = [];
  for (let i = 0; i < (opts.processes ?? 1); i++) {
    systems.push(
      await startSystem(
        {
          host: '127.0.0.1',
          port: 0,
          dataDir: './data/unused',
          databaseUrl: db.url,
          redisUrl: REDIS_URL,
          adminToken,
          masterKey,
          maxFrameBytes: 32 * 1024 * 1024,
          ...opts.config,
        },
        { gateway: true, log: opts.log ?? silentLogger, redisPrefix },
      ),
    );
  }
  return {
    databaseUrl: db.url,
    adminToken,
    systems,
    async close() {
      for (const s of systems) await s.close();
      await db.drop();
    },
  };
}

export function voterCsv(count: number, domain = 'example.org'): string {
  const lines = ['name,email'];
  for (let i = 0; i < count; i++) lines.push(`Voter ${i},voter${i}@${domain}`);
  return lines.join('\n') + '\n';
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
