/** Configuration from the environment: the ballot pool's k, the mixing settings it replaced, the signing workers. */
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.ts';

describe('configFromEnv', () => {
  it('pools 32 ballots by default and takes EVOTE_POOL_K from 0 up', () => {
    expect(configFromEnv({}).poolK).toBe(32);
    expect(configFromEnv({ EVOTE_POOL_K: '0' }).poolK).toBe(0);
    expect(configFromEnv({ EVOTE_POOL_K: '8' }).poolK).toBe(8);
    expect(() => configFromEnv({ EVOTE_POOL_K: '-1' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_POOL_K: 'many' })).toThrow(ConfigError);
  });

  it('sizes the signing workers from EVOTE_SIGNING_WORKERS (default: one per core, the pool decides) and their idle time from EVOTE_SIGNING_IDLE_MS', () => {
    expect(configFromEnv({}).signingWorkers).toBeUndefined();
    expect(configFromEnv({}).signingIdleMs).toBe(30_000);
    expect(configFromEnv({ EVOTE_SIGNING_WORKERS: '3', EVOTE_SIGNING_IDLE_MS: '5000' })).toMatchObject({ signingWorkers: 3, signingIdleMs: 5_000 });
    expect(() => configFromEnv({ EVOTE_SIGNING_WORKERS: '0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_SIGNING_WORKERS: '65' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_SIGNING_IDLE_MS: '10' })).toThrow(ConfigError);
  });

  it('refuses the old mixing settings instead of ignoring them', () => {
    expect(() => configFromEnv({ EVOTE_MIX_K: '10' })).toThrow(/EVOTE_MIX_K is gone/);
    expect(() => configFromEnv({ EVOTE_MIX_MS: '500' })).toThrow(/EVOTE_MIX_MS is gone/);
  });
});
