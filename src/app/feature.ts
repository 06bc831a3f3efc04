/** The seam through which a feature plugs into one process; `src/app/bootstrap.ts` lists the features. */
import type { EventStore } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { MessageModule } from '../gateway/message-handlers.ts';
import type { HttpRouter } from '../gateway/transport.ts';
import type { MetricsRegistry } from '../runtime/metrics.ts';
import type { Projection } from '../projections/projection.ts';
import type { BallotPool } from '../commands/ballot-pool.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import type { Config } from './config.ts';
import type { Logger } from '../runtime/log.ts';
import type { VoterAuthenticator } from '../auth/voter-authenticator.ts';
import type { ElectionCommandHandlers } from '../commands/election-command-handlers.ts';
import type { ReadModelQueries } from '../projections/read-models.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { ReadinessCheck } from '../runtime/readiness.ts';
import type { ReadCache } from '../projections/read-cache.ts';

export interface FeatureContext {
  config: Config;
  store: EventStore;
  /** The read-model database (also the key store's). */
  sql: SqlClient;
  keyStore: KeyStore;
  /** Where casts and blind-signature records wait before the log, and through which voting closes. */
  pool: BallotPool;
  /** Subscriptions through it tell the read cache first (src/projections/read-cache-pubsub.ts). */
  pubsub: PubSub;
  metrics: MetricsRegistry;
  log: Logger;
  /** The hot public reads' cache, kept current by the projections; wrap public queries with src/projections/cached-queries.ts. */
  readCache: ReadCache;
  /** `queries` answer election.get/list from the read cache; `status` is the election's status from there. */
  election: { commands: ElectionCommandHandlers; queries: ReadModelQueries; status: (electionId: string) => Promise<ElectionStatusView> };
  /** Injected so tests can control time; never read the clock elsewhere on the write side. */
  now: () => Date;
  newId: () => string;
  /** Services other features published (e.g. 'voterAuth' by the authentication feature). */
  services: FeatureServices;
}

export interface FeatureServices {
  voterAuth?: VoterAuthenticator;
  /** Told after each pool batch that admitted casts (the ballots feature closes on turnout). */
  onAdmittedCasts?: (electionId: string, admittedCasts: number) => void;
  [name: string]: unknown;
}

export interface Feature {
  name: string;
  messages?: MessageModule;
  projections?: Projection[];
  readiness?: ReadinessCheck[];
  /** Called once the projections run (e.g. to start a scheduler). */
  start?(runner: ProjectionRunner): Promise<void>;
  /** Called on shutdown, after the gateway drained and before the stores close. */
  close?(): Promise<void>;
  /** Registers extra HTTP routes on the gateway (e.g. GET /elections/:id/log), before its 404 catch-all; `adminToken` for admin-only ones. */
  httpRoutes?(app: HttpRouter, gateway: { adminToken: string }): void;
}

export type FeatureFactory = (ctx: FeatureContext) => Promise<Feature>;
