/** The ballot feature: signing and casting through the pool, closing, the `votes` read model and the board. */
import type { FeatureFactory } from '../feature.ts';
import { authorityKeyLoader, createBlindSigner } from '../../commands/blind-sign.ts';
import { createSigningPool } from '../../commands/signing-pool.ts';
import { createBallotCaster } from '../../commands/cast-ballot.ts';
import { createAutoCloser, quotaNotifier } from '../../commands/auto-close.ts';
import { createClosingScheduler } from '../../commands/closing-scheduler.ts';
import { votesProjection } from '../../projections/votes-projection.ts';
import { createBallotQueries } from '../../projections/ballot-queries.ts';
import { cachedBallotQueries } from '../../projections/cached-queries.ts';
import { ballotMessageModule } from '../../gateway/messages/ballots.ts';
import { holdsBallot } from '../../pool/pool-table.ts';
import type { ProjectionRunner } from '../../projections/runner.ts';

export const ballotsFeature: FeatureFactory = async (ctx) => {
  const log = ctx.log.child({ component: 'ballots' });
  const electionStatus = ctx.election.status;
  const storedQueries = createBallotQueries(ctx.sql);
  const queries = cachedBallotQueries(storedQueries, ctx.readCache, async (id) => (await ctx.election.queries.getElection(id))?.expectedVoters ?? 0);
  const { pool } = ctx;
  if (pool.k === 0) log.warn('ballot pool mixing is off (EVOTE_POOL_K=0): the log order links voters to ballots');
  // No worker runs until the first signature, and idle ones end (docs/ballots.md).
  const signing = createSigningPool({
    loadKey: authorityKeyLoader(ctx.keyStore),
    size: ctx.config.signingWorkers,
    idleMs: ctx.config.signingIdleMs,
    log: log.child({ component: 'signing-pool' }),
  });
  // blindSign's hot path: an unweighted election (the cached row has no classes) costs no query.
  const voterWeight = async (electionId: string, voterId: string): Promise<number | null> => {
    if (!(await ctx.election.queries.getElection(electionId))?.weightClasses) return null;
    const { rows } = await ctx.sql.query<{ weight: number | null }>('select weight from voters where election_id = $1 and voter_id = $2', [electionId, voterId]);
    return rows[0]?.weight ?? null;
  };
  const signer = createBlindSigner({ pool, keyStore: ctx.keyStore, electionStatus, signing, voterWeight });
  let runner: ProjectionRunner | undefined;
  // The pool first, then the log: a release appends before it deletes, so the ballot is always in one of them.
  const ballotRecorded = async (electionId: string, ballotHash: string): Promise<boolean> => {
    if (await holdsBallot(ctx.sql, electionId, ballotHash)) return true;
    await runner?.waitFor(await ctx.store.headPosition(), 5_000).catch(() => undefined);
    return (await storedQueries.receipt(electionId, ballotHash)) !== undefined;
  };
  const caster = createBallotCaster({ pool, keyStore: ctx.keyStore, electionStatus, ballotRecorded });
  const autoCloser = createAutoCloser({ store: ctx.store, pool, pubsub: ctx.pubsub, now: ctx.now, log });
  const scheduler = createClosingScheduler({ store: ctx.store, pool, sql: ctx.sql, now: ctx.now, log });
  ctx.services.ballotQueries = queries;
  ctx.services.onAdmittedCasts = quotaNotifier({ getElection: (id) => ctx.election.queries.getElection(id), pubsub: ctx.pubsub, log });

  return {
    name: 'ballots',
    messages: ballotMessageModule({
      // Looked up per request: the authentication feature may be registered after this one.
      authenticate: async (token) => (ctx.services.voterAuth ? ctx.services.voterAuth.authenticate(token) : undefined),
      signer,
      caster,
      queries,
    }),
    projections: [votesProjection()],
    async start(projections) {
      runner = projections;
      await autoCloser.start();
      scheduler.start();
    },
    async close() {
      await scheduler.stop();
      await autoCloser.stop();
      await signing.close();
    },
  };
};
