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
    expect(configFromEnv({}).signingIdleMs).toBe(10_000);
    expect(configFromEnv({ EVOTE_SIGNING_WORKERS: '3', EVOTE_SIGNING_IDLE_MS: '5000' })).toMatchObject({ signingWorkers: 3, signingIdleMs: 5_000 });
    expect(() => configFromEnv({ EVOTE_SIGNING_WORKERS: '0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_SIGNING_WORKERS: '65' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_SIGNING_IDLE_MS: '10' })).toThrow(ConfigError);
  });

  it('refuses the old mixing settings instead of ignoring them', () => {
    expect(() => configFromEnv({ EVOTE_MIX_K: '10' })).toThrow(/EVOTE_MIX_K is gone/);
    expect(() => configFromEnv({ EVOTE_MIX_MS: '500' })).toThrow(/EVOTE_MIX_MS is gone/);
  });

  it('takes an EventStoreDB single-node, cluster or DNS-discovery URL as given, and refuses other schemes', () => {
    const cluster = 'esdb://127.0.0.1:2111,127.0.0.1:2112,127.0.0.1:2113?tls=false&nodePreference=leader';
    expect(configFromEnv({ EVENTSTORE_URL: cluster }).eventStoreUrl).toBe(cluster);
    expect(configFromEnv({ EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' }).eventStoreUrl).toBe('esdb://localhost:2113?tls=false');
    expect(configFromEnv({ EVENTSTORE_URL: 'esdb+discover://cluster.example:2113' }).eventStoreUrl).toBe('esdb+discover://cluster.example:2113');
    expect(configFromEnv({ EVENTSTORE_URL: '' }).eventStoreUrl).toBeUndefined();
    for (const bad of ['kurrentdb://localhost:2113', 'http://localhost:2113', 'esdb://', 'localhost:2113']) {
      expect(() => configFromEnv({ EVENTSTORE_URL: bad }), bad).toThrow(ConfigError);
    }
  });

  it('reads the gateway limits: requests in flight per connection, connections per source', () => {
    expect(configFromEnv({})).toMatchObject({ maxInFlightPerConnection: 32, maxRequestsPerSecondPerConnection: 1_000, maxConnectionsPerSource: 10_000, newConnectionsPerSecondPerSource: 1_000 });
    const set = configFromEnv({ EVOTE_MAX_INFLIGHT_PER_CONNECTION: '8', EVOTE_MAX_REQUESTS_PER_SECOND_PER_CONNECTION: '40', EVOTE_MAX_CONNECTIONS_PER_SOURCE: '50', EVOTE_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE: '5' });
    expect(set).toMatchObject({ maxInFlightPerConnection: 8, maxRequestsPerSecondPerConnection: 40, maxConnectionsPerSource: 50, newConnectionsPerSecondPerSource: 5 });
    expect(() => configFromEnv({ EVOTE_MAX_INFLIGHT_PER_CONNECTION: '0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ EVOTE_MAX_CONNECTIONS_PER_SOURCE: 'lots' })).toThrow(ConfigError);
  });
});
