/**
 * Which errors become SERVICE_UNAVAILABLE, on the real drivers: a server that refuses the connection
 * does, a wrong statement or script does not (it stays a bug, answered INTERNAL).
 */
import { describe, expect, it } from 'vitest';
import { createRedisSessionStore } from '../../src/auth/redis-session-store.ts';
import { isServiceUnavailable, ServiceUnavailableError } from '../../src/runtime/service-unavailable.ts';
import { createPgClient } from '../../src/sql/client.ts';
import { freePort } from '../support/free-port.ts';
import { REDIS_URL } from '../support/system.ts';
import { privateRedis } from './private-redis.ts';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('outage errors', () => {
  it('PostgreSQL: a refused connection is SERVICE_UNAVAILABLE (database); a missing table is not', async () => {
    const nobody = createPgClient(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`, { max: 1 });
    const refused = await rejection(nobody.query('select 1'));
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect((refused as ServiceUnavailableError).service).toBe('database');
    expect(isServiceUnavailable(await rejection(nobody.transaction((tx) => tx.query('select 1'))))).toBe(true);
    await nobody.close();

    const real = createPgClient(PG_URL, { max: 1 });
    const missing = await rejection(real.query('select * from no_such_table_here'));
    expect(isServiceUnavailable(missing)).toBe(false);
    expect((missing as { code?: string }).code).toBe('42P01');
    await real.close();
  });

  it('Redis: a server gone is SERVICE_UNAVAILABLE (sessions) at once; a bad TTL is not', async () => {
    const redis = await privateRedis();
    await redis.start();
    const gone = createRedisSessionStore(redis.url);
    try {
      await gone.set('k', 'v', 10_000);
      await redis.kill();
      const started = performance.now();
      const refused = await rejection(gone.get('k'));
      expect(performance.now() - started).toBeLessThanOrEqual(2_000);
      expect(refused).toBeInstanceOf(ServiceUnavailableError);
      expect((refused as ServiceUnavailableError).service).toBe('sessions');
      expect(await gone.ping()).toBe(false);
    } finally {
      await gone.close();
      await redis.kill();
    }

    const real = createRedisSessionStore(REDIS_URL, { prefix: `evote-test-errors-${process.pid}:` });
    expect(isServiceUnavailable(await rejection(real.set('k', 'v', -1)))).toBe(false);
    expect(await real.ping()).toBe(true);
    await real.close();
  });
});
