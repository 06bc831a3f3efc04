/**
 * The tally feature: `tally.run` (a second request joins the running one), the tally read models
 * and queries; runs in other processes share the work through range claims.
 */
import type { FeatureFactory } from '../feature.ts';
import type { Result } from '../../domain/errors.ts';
import { runTally, type TallyOutcome, type TallyProgress } from '../../tally/tally-run.ts';
import { createSqlRangeClaims } from '../../tally/sql-range-claims.ts';
import { tallyProjection } from '../../projections/tally-projection.ts';
import { createTallyQueries } from '../../projections/tally-queries.ts';
import { cachedTallyQueries } from '../../projections/cached-queries.ts';
import { tallyMessageModule } from '../../gateway/messages/tally.ts';
import { createTrusteePartialsStore } from '../../tally/trustee-partials-store.ts';
import { createTrusteeSubmissions } from '../../tally/trustee-submissions.ts';

export const tallyFeature: FeatureFactory = async (ctx) => {
  const log = ctx.log.child({ component: 'tally' });
  const queries = cachedTallyQueries(createTallyQueries(ctx.sql), ctx.readCache);
  // Runs on other processes sharing this database join the same tally by claiming ranges.
  const claims = createSqlRangeClaims(ctx.sql);
  const partials = createTrusteePartialsStore(ctx.sql);
  const running = new Map<string, Promise<Result<TallyOutcome>>>();
  ctx.services.tallyQueries = queries;

  const run = (input: { electionId: string; workers?: number }, onProgress: (p: TallyProgress) => void) => {
    const joined = running.get(input.electionId);
    if (joined) return joined;
    const started = runTally(
      { store: ctx.store, keyStore: ctx.keyStore, claims, partials, now: ctx.now, log },
      { electionId: input.electionId, workers: input.workers, onProgress },
    ).finally(() => running.delete(input.electionId));
    running.set(input.electionId, started);
    return started;
  };

  return {
    name: 'tally',
    messages: tallyMessageModule({
      run,
      queries,
      electionExists: async (electionId) => (await ctx.election.queries.getElection(electionId)) !== undefined,
      trustees: createTrusteeSubmissions({ store: ctx.store, sql: ctx.sql, partials }),
    }),
    projections: [tallyProjection()],
    async close() {
      // Let runs in flight finish their current append; an interrupted run resumes next time.
      await Promise.allSettled([...running.values()]);
    },
  };
};
