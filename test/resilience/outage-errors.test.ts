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

  it('Redis: no server is SERVICE_UNAVAILABLE (sessions); a bad TTL is not', async () => {
    const nobody = createRedisSessionStore(`redis://127.0.0.1:${await freePort()}`);
    const refused = await rejection(nobody.get('k'));
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect((refused as ServiceUnavailableError).service).toBe('sessions');
    expect(await nobody.ping()).toBe(false);
    await nobody.close();

    const real = createRedisSessionStore(REDIS_URL, { prefix: `evote-test-errors-${process.pid}:` });
    expect(isServiceUnavailable(await rejection(real.set('k', 'v', -1)))).toBe(false);
    expect(await real.ping()).toBe(true);
    await real.close();
  });
});
