/**
 * A feature of the server (credentials, authentication, ballots, audit…) plugs into one process
 * through this seam: it receives the shared parts, and contributes WebSocket messages, projections,
 * readiness checks and background work. `src/app/bootstrap.ts` lists the features in one place.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { MessageModule } from '../gateway/message-handlers.ts';
import type { TemplatedApp } from '../gateway/uws.ts';
import type { MetricsRegistry } from '../runtime/metrics.ts';
import type { Projection } from '../projections/projection.ts';
import type { BallotPool } from '../commands/ballot-pool.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import type { Config } from './config.ts';
import type { Logger } from '../runtime/log.ts';
import type { ElectionCommandHandlers, PubSub, ReadModelQueries, ReadinessCheck, VoterAuthenticator } from './services.ts';

export interface FeatureContext {
  config: Config;
  store: EventStore;
  /** The read-model database (also the key store's). */
  sql: SqlClient;
  keyStore: KeyStore;
  /** Where casts and blind-signature records wait before the log, and through which voting closes. */
  pool: BallotPool;
  pubsub: PubSub;
  metrics: MetricsRegistry;
  log: Logger;
  /**
   * `status` is the one cached view of an election's status in this process (login, blind signing
   * and casting read it on every request): src/projections/ballot-queries.ts createElectionStatusCache.
   */
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
  /** Registers extra HTTP routes on the gateway (e.g. GET /elections/:id/log), before its 404 catch-all. */
  httpRoutes?(app: TemplatedApp): void;
}

export type FeatureFactory = (ctx: FeatureContext) => Promise<Feature>;
