/** Wires one evote process for the configured running mode: the server, the end-to-end tests and the benchmarks alike. */
import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SqlClient } from '../sql/client.ts';
import { migrateToLatest } from '../sql/migrate.ts';
import { openDatabase } from './database.ts';
import type { EventStore } from '../eventstore/port.ts';
import { createSqlEventStore } from '../eventstore/sql-event-store.ts';
import { instrumentEventStore } from '../eventstore/instrumented-event-store.ts';
import { createElectionCommandHandlers } from '../commands/election-command-handlers.ts';
import { createBallotPool, DEFAULT_POOL_K } from '../commands/ballot-pool.ts';
import { createProjectionRunner, type ProjectionRunner } from '../projections/runner.ts';
import { defaultProjections } from '../projections/index.ts';
import { createReadModelQueries } from '../projections/queries.ts';
import { ReadCache } from '../projections/read-cache.ts';
import { CACHED_PROJECTIONS, cachedReadModelQueries } from '../projections/cached-queries.ts';
import { invalidatingPubSub } from '../projections/read-cache-pubsub.ts';
import { createMemoryPubSub } from '../pubsub/memory-pubsub.ts';
import { startGateway, type Gateway } from '../gateway/gateway.ts';
import type { HttpRouter } from '../gateway/transport.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../runtime/metrics.ts';
import { projectionMessageModule } from '../gateway/messages/projections.ts';
import type { ElectionCommandHandlers } from '../commands/election-command-handlers.ts';
import type { ReadModelQueries } from '../projections/read-models.ts';
import type { PubSub } from '../pubsub/port.ts';
import { createSqlKeyStore } from '../keystore/sql-key-store.ts';
import { masterKeyFromEnv } from '../keystore/master-key.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { Feature, FeatureContext, FeatureFactory } from './feature.ts';
import { credentialsFeature } from './features/credentials.ts';
import { authFeature } from './features/auth.ts';
import { ballotsFeature } from './features/ballots.ts';
import { tallyFeature } from './features/tally.ts';
import { auditFeature } from './features/audit.ts';
import { webFeature } from './features/web.ts';
import { boothFeature } from './features/booth.ts';
import { boardFeature } from './features/board.ts';

/** The server's features, in start order: a feature may use services an earlier one published. */
const FEATURES: FeatureFactory[] = [credentialsFeature, authFeature, boothFeature, ballotsFeature, tallyFeature, auditFeature, boardFeature, webFeature];
import { describeMode, type Config } from './config.ts';
import { authSettingsFrom } from './auth-config.ts';
import { runCloseSteps, SHUTDOWN_BUDGET_MS, type CloseStep } from './shutdown.ts';
import { createLogger, type Logger } from '../runtime/log.ts';

export interface System {
  config: Config;
  adminToken: string;
  keyStore: KeyStore;
  features: Feature[];
  store: EventStore;
  /** The database that holds the read models (and the events, unless EventStoreDB is used). */
  sql: SqlClient;
  commands: ElectionCommandHandlers;
  queries: ReadModelQueries;
  runner: ProjectionRunner;
  /** The hot public reads' cache (docs/projections.md "Read cache"). */
  readCache: ReadCache;
  pubsub: PubSub;
  metrics: MetricsRegistry;
  log: Logger;
  /** Present when started with `{ gateway: true }`. */
  gateway?: Gateway;
  /**
   * Graceful: stop accepting, finish in-flight work (bounded by the drain timeout), then stop
   * projections and close connections, each step bounded (src/app/shutdown.ts). Never throws.
   */
  close(): Promise<ShutdownOutcome>;
}

export interface ShutdownOutcome {
  /** Every in-flight request was answered before the sockets closed. */
  drained: boolean;
  /** Every close step finished within its bound. */
  clean: boolean;
}

export interface StartOptions {
  gateway?: boolean;
  log?: Logger;
  /** Pub/sub channel prefix, so parallel test runs on one Redis do not hear each other. */
  redisPrefix?: string;
}

async function embeddedAdminToken(dataDir: string, log: Logger): Promise<string> {
  const file = path.join(dataDir, 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const token = randomBytes(32).toString('base64url');
    await writeFile(file, token + '\n', { mode: 0o600 });
    // The token itself is never logged: the operator reads it from the file.
    log.warn('generated an admin token for embedded mode; set EVOTE_ADMIN_TOKEN in production', { file });
    return token;
  }
}

export async function startSystem(config: Config, opts: StartOptions = {}): Promise<System> {
  const log = opts.log ?? createLogger();
  log.info('starting evote', { mode: describeMode(config) });
  const embedded = !config.databaseUrl;

  const sql = await openDatabase(config);
  if (embedded) log.info('embedded mode: PGlite database and in-memory sessions', { dataDir: config.dataDir });
  // Every table of every mode, before anything reads one; processes starting at once queue on a lock.
  const schema = await migrateToLatest(sql).catch(async (err: unknown) => {
    await sql.close();
    throw err;
  });
  log.info('database schema', { version: schema.version, migrated: schema.ran });

  const masterKey = await masterKeyFromEnv(config.masterKey ? { EVOTE_MASTER_KEY: config.masterKey } : process.env, {
    dataDir: config.dataDir,
    embedded,
  });
  if (masterKey.warning) log.warn(masterKey.warning);
  const keyStore = await createSqlKeyStore(sql, masterKey.key);

  const metrics = createMetricsRegistry();
  const wasmMemory = sql.wasmMemoryBytes?.bind(sql);
  if (wasmMemory) metrics.gaugeFn('evote_pglite_wasm_memory_bytes', "Embedded PGlite's WASM memory (it grows, never shrinks)", [], () => wasmMemory() ?? 0);
  // The clients of the modes not in use are never loaded: an embedded server is spared their memory.
  const rawStore = config.eventStoreUrl
    ? (await import('../eventstore/eventstoredb-event-store.ts')).createEventStoreDbEventStore(config.eventStoreUrl)
    : await createSqlEventStore(sql);
  const store = instrumentEventStore(rawStore, metrics);
  const pubsub = config.redisUrl ? (await import('../pubsub/redis-pubsub.ts')).createRedisPubSub(config.redisUrl, { prefix: opts.redisPrefix, log }) : createMemoryPubSub();
  const now = () => new Date();
  const newId = () => randomUUID();
  const pool = await createBallotPool({
    sql,
    store,
    k: config.poolK ?? DEFAULT_POOL_K,
    log: log.child({ component: 'ballot-pool' }),
    onAdmittedCasts: (electionId, admitted) => ctx.services.onAdmittedCasts?.(electionId, admitted),
  });
  const commands = createElectionCommandHandlers(store, { now, newId, keyStore, rsaBits: config.rsaBits, closeVoting: pool.closeVoting });
  const queries = createReadModelQueries(sql, keyStore);
  const readCache = new ReadCache({ projections: CACHED_PROJECTIONS });
  const publicQueries = cachedReadModelQueries(queries, readCache);
  const publicPubsub = invalidatingPubSub(pubsub, readCache);
  const status = async (id: string) => (await publicQueries.getElection(id))?.status ?? 'NONE';
  const ctx: FeatureContext = {
    config,
    store,
    sql,
    keyStore,
    pool,
    pubsub: publicPubsub,
    metrics,
    log,
    readCache,
    election: { commands, queries: publicQueries, status },
    now,
    newId,
    services: {},
  };
  const features: Feature[] = [];
  for (const factory of FEATURES) features.push(await factory(ctx));
  const runner = createProjectionRunner({
    store,
    sql,
    projections: [...defaultProjections(), ...features.flatMap((f) => f.projections ?? [])],
    pubsub,
    log,
    observer: readCache,
  });
  await runner.start();
  // Only a shared database has other processes whose batches this one's runner would not see.
  if (sql.kind === 'postgres') readCache.start(sql);
  for (const f of features) await f.start?.(runner);
  metrics.gaugeFn('evote_projection_lag_events', 'Events in the log not yet folded into a projection', ['projection'], async () =>
    (await runner.status()).map((s) => ({ labels: { projection: s.name }, value: s.lag })),
  );

  const adminToken = config.adminToken ?? (embedded ? await embeddedAdminToken(config.dataDir, log) : undefined);
  if (!adminToken) throw new Error('EVOTE_ADMIN_TOKEN is required outside embedded mode');

  const system: System = {
    config,
    adminToken,
    keyStore,
    features,
    store,
    sql,
    commands,
    queries,
    runner,
    readCache,
    pubsub,
    metrics,
    log,
    async close() {
      const started = Date.now();
      const drained = system.gateway ? await system.gateway.drain() : true;
      const steps: CloseStep[] = [
        ...(system.gateway ? [{ name: 'gateway', run: () => system.gateway!.close() }] : []),
        ...[...features].reverse().flatMap((f) => (f.close ? [{ name: `feature ${f.name}`, run: () => f.close!() }] : [])),
        { name: 'ballot pool', run: () => pool.stop() },
        { name: 'projections', run: () => runner.stop() },
        { name: 'read cache', run: () => readCache.stop() },
        { name: 'pubsub', run: () => pubsub.close() },
        { name: 'event store', run: () => store.close() },
        { name: 'database', run: () => sql.close() },
      ];
      const clean = await runCloseSteps(steps, log.child({ component: 'shutdown' }), SHUTDOWN_BUDGET_MS - (Date.now() - started));
      return { drained, clean };
    },
  };

  if (opts.gateway) {
    system.gateway = await startGateway({
      commands,
      queries: publicQueries,
      pubsub: publicPubsub,
      metrics,
      adminToken,
      host: config.host,
      port: config.port,
      maxFrameBytes: config.maxFrameBytes,
      maxInFlightPerConnection: config.maxInFlightPerConnection,
      maxRequestsPerSecondPerConnection: config.maxRequestsPerSecondPerConnection,
      maxConnectionsPerSource: config.maxConnectionsPerSource,
      newConnectionsPerSecondPerSource: config.newConnectionsPerSecondPerSource,
      trustedProxies: authSettingsFrom(config).trustedProxies,
      // The read models, then this process's cached reads, reflect the command's position.
      waitForProjections: async (position) => {
        await runner.waitFor(position, 5_000);
        await readCache.reflect(position);
      },
      // Named as SERVICE_UNAVAILABLE names them (src/runtime/service-unavailable.ts).
      readiness: [
        { name: 'database', check: async () => (await sql.query('select 1 as ok')).rows.length === 1 },
        ...(config.eventStoreUrl ? [{ name: 'eventstore', check: () => store.ping() }] : []),
        ...(pubsub.ping ? [{ name: 'pubsub', check: () => pubsub.ping!(), degradesOnly: true }] : []),
        ...features.flatMap((f) => f.readiness ?? []),
      ],
      modules: [projectionMessageModule(runner), ...features.flatMap((f) => (f.messages ? [f.messages] : []))],
      httpRoutes: features.flatMap((f) => (f.httpRoutes ? [(app: HttpRouter) => f.httpRoutes?.(app, { adminToken })] : [])),
      log,
    });
    log.info('gateway listening', { url: system.gateway.url, http: system.gateway.httpUrl });
  }
  return system;
}
