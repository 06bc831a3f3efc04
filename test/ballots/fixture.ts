/**
 * A real world for the ballot tests: a scratch PostgreSQL database, the SQL event store and key
 * store, the election command handlers (which make the election keys), the projection runner with
 * the default and ballot projections, and credentials minted the way the credential feature does
 * (CredentialMinted in credential-{eid}-{hash(N1)} streams, with real N1/N2 tokens).
 */
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import { createElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import { createProjectionRunner, type ProjectionRunner } from '../../src/projections/runner.ts';
import { defaultProjections } from '../../src/projections/index.ts';
import { createReadModelQueries } from '../../src/projections/queries.ts';
import { votesProjection } from '../../src/projections/votes-projection.ts';
import { createBallotPool, type BallotPool } from '../../src/commands/ballot-pool.ts';
import { createSigningPool, type SigningPool } from '../../src/commands/signing-pool.ts';
import { authorityKeyLoader } from '../../src/commands/blind-sign.ts';
import { quotaNotifier } from '../../src/commands/auto-close.ts';
import type { ElectionStatusView } from '../../src/projections/ballot-queries.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { ElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import type { ReadModelQueries } from '../../src/projections/read-models.ts';
import type { CredentialMinted } from '../../src/domain/credential-events.ts';
import { hashToken, issueTokens } from '../../src/credentials/tokens.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import type { PubSub } from '../../src/pubsub/port.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { privateKeyFromPkcs8 } from '../../src/commands/election-keys.ts';
import { rsaPublicKeyOf } from '../../src/crypto/rsa.ts';
import { credentialStreamId } from '../../src/domain/streams.ts';

export interface World {
  databaseUrl: string;
  sql: SqlClient;
  store: EventStore;
  keyStore: KeyStore;
  commands: ElectionCommandHandlers;
  queries: ReadModelQueries;
  runner: ProjectionRunner;
  pubsub: PubSub;
  /** The ballot pool every close goes through (k = 0 unless startWorld was asked for mixing). */
  pool: BallotPool;
  /** The blind-signing workers, as the ballots feature makes them. */
  signing: SigningPool;
  /** Status straight from the read model (no cache), waiting for the projections first. */
  electionStatus: (electionId: string) => Promise<ElectionStatusView>;
  close(): Promise<void>;
}

/** `poolK` 0 (default) puts each cast in the log at once, so command tests can read it back. */
export async function startWorld(opts: { poolK?: number } = {}): Promise<World> {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  const store = await createSqlEventStore(sql);
  const keyStore = await createSqlKeyStore(sql, randomBytes(32));
  const pubsub = createMemoryPubSub();
  const queries = createReadModelQueries(sql, keyStore);
  const onQuota = quotaNotifier({ getElection: (id) => queries.getElection(id), pubsub, log: silentLogger });
  const pool = await createBallotPool({ sql, store, k: opts.poolK ?? 0, log: silentLogger, onAdmittedCasts: onQuota });
  const commands = createElectionCommandHandlers(store, { now: () => new Date(), newId: () => randomUUID(), keyStore, closeVoting: pool.closeVoting });
  const runner = createProjectionRunner({
    store,
    sql,
    projections: [...defaultProjections(), votesProjection()],
    pubsub,
    log: silentLogger,
    waitPollMs: 10,
  });
  await runner.start();
  const cached = coalescedElectionStatus((id) => queries.getElection(id));
  const signing = createSigningPool({ loadKey: authorityKeyLoader(keyStore) });
  return {
    databaseUrl: db.url,
    sql,
    store,
    keyStore,
    commands,
    queries,
    runner,
    pubsub,
    pool,
    signing,
    electionStatus: async (id) => {
      await runner.waitFor(await store.headPosition());
      return cached(id);
    },
    async close() {
      await signing.close();
      await pool.stop();
      await runner.stop();
      await pubsub.close();
      await store.close();
      await sql.close();
      await db.drop();
    },
  };
}

export interface TestElection {
  electionId: string;
  voterIds: string[];
  authorityPublicKey: KeyObject;
  ballotPublicKey: KeyObject;
  ballotPrivateKey: KeyObject;
  choices: string[];
}

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** An election with `voters` registered voters, started unless `start` is false. */
export async function openElection(world: World, opts: { voters: number; start?: boolean; choices?: string[] }): Promise<TestElection> {
  const choices = opts.choices ?? ['Alice', 'Bob', 'Carol'];
  const { electionId } = ok(await world.commands.createElection({ theme: 'Ballot test', choices, expectedVoters: opts.voters }));
  const voterIds: string[] = [];
  for (let i = 0; i < opts.voters; i++) voterIds.push(ok(await world.commands.registerVoter({ electionId, email: `v${i}@example.org` })).voterId);
  if (opts.start !== false) ok(await world.commands.startVoting({ electionId }));
  await world.runner.waitFor(await world.store.headPosition());
  const authority = await world.keyStore.get(keyNames.authority(electionId));
  const counter = await world.keyStore.get(keyNames.counter(electionId));
  if (!authority || !counter) throw new Error('election keys missing from the key store');
  const ballotPrivateKey = privateKeyFromPkcs8(counter);
  return {
    electionId,
    voterIds,
    authorityPublicKey: rsaPublicKeyOf(privateKeyFromPkcs8(authority)),
    ballotPublicKey: rsaPublicKeyOf(ballotPrivateKey),
    ballotPrivateKey,
    choices,
  };
}

/** Mints `count` credentials the way the credential feature does; returns the clear tokens (tests only). */
export async function mintCredentials(store: EventStore, electionId: string, count: number): Promise<{ n1: string; n2: string }[]> {
  const tokens = Array.from({ length: count }, () => issueTokens());
  await store.appendMany(
    tokens.map(({ n1, n2 }) => {
      const hashN1 = hashToken(n1) as string;
      const minted: CredentialMinted = { type: 'CredentialMinted', data: { electionId, hashN1, hashN2: hashToken(n2) as string } };
      return { streamId: credentialStreamId(electionId, hashN1), events: [minted], expectedRevision: 'no_stream' as const };
    }),
  );
  return tokens;
}

/**
 * An election's status from the read model, concurrent look-ups coalesced into one read and
 * VOTE_ENDED kept for good (the server reads it through its read cache instead).
 */
function coalescedElectionStatus(
  getElection: (electionId: string) => Promise<Pick<ElectionRow, 'status'> | undefined>,
): (electionId: string) => Promise<ElectionStatusView> {
  const ended = new Set<string>();
  const inflight = new Map<string, Promise<ElectionStatusView>>();
  return async (electionId) => {
    if (ended.has(electionId)) return 'VOTE_ENDED';
    let pending = inflight.get(electionId);
    if (!pending) {
      pending = getElection(electionId)
        .then((row) => {
          const status: ElectionStatusView = row?.status ?? 'NONE';
          if (status === 'VOTE_ENDED') ended.add(electionId);
          return status;
        })
        .finally(() => inflight.delete(electionId));
      inflight.set(electionId, pending);
    }
    return pending;
  };
}
