/** The public board's reads and its live `board.watch` (src/gateway/messages/board.ts); no projection of its own. */
import type { FeatureFactory } from '../feature.ts';
import { createBoardQueries } from '../../projections/board-queries.ts';
import { cachedBoardQueries } from '../../projections/cached-queries.ts';
import { boardMessageModule } from '../../gateway/messages/board.ts';

export const boardFeature: FeatureFactory = async (ctx) => ({
  name: 'board',
  messages: boardMessageModule({
    queries: cachedBoardQueries(createBoardQueries(ctx.sql), ctx.readCache),
    pubsub: ctx.pubsub,
    electionExists: async (electionId) => (await ctx.election.queries.getElection(electionId)) !== undefined,
  }),
});
