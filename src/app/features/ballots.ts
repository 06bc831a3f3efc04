/**
 * The ballot feature: blind signing, anonymous casting (optionally mixed), closing by turnout and
 * by closing time, the `votes` and `ballot_counts` read models, receipts and the bulletin board.
 * Mixing is off unless EVOTE_MIX_K (≥ 2) is set; EVOTE_MIX_MS bounds the wait (default 1000).
 */
import type { FeatureFactory } from '../feature.ts';
import { ConfigError } from '../config.ts';
import { createBlindSigner } from '../../commands/blind-sign.ts';
import { createBallotCaster } from '../../commands/cast-ballot.ts';
import { createBallotMixer, type BallotMixerOptions } from '../../commands/ballot-mixer.ts';
import { ballotCountsProjection, createAutoCloser } from '../../commands/auto-close.ts';
import { createClosingScheduler } from '../../commands/closing-scheduler.ts';
import { votesProjection } from '../../projections/votes-projection.ts';
import { createBallotQueries } from '../../projections/ballot-queries.ts';
import { ballotMessageModule } from '../../gateway/messages/ballots.ts';

/** Mixing options from the environment, or undefined when mixing is off. */
export function mixerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BallotMixerOptions | undefined {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}`);
    return n;
  };
  const k = int('EVOTE_MIX_K', 0, 0, 100_000);
  if (k < 2) return undefined;
  return { k, maxWaitMs: int('EVOTE_MIX_MS', 1_000, 1, 60_000) };
}

export const ballotsFeature: FeatureFactory = async (ctx) => {
  const log = ctx.log.child({ component: 'ballots' });
  const electionStatus = ctx.election.status;
  const queries = createBallotQueries(ctx.sql);
  const mixing = mixerOptionsFromEnv();
  const mixer = mixing ? createBallotMixer(ctx.store, mixing) : undefined;
  if (mixing) log.info('ballot mixing on', { k: mixing.k, maxWaitMs: mixing.maxWaitMs });
  const signer = createBlindSigner({ store: ctx.store, keyStore: ctx.keyStore, electionStatus, now: ctx.now });
  const caster = createBallotCaster({ store: ctx.store, electionStatus, append: mixer?.append });
  const autoCloser = createAutoCloser({ store: ctx.store, pubsub: ctx.pubsub, now: ctx.now, log });
  const scheduler = createClosingScheduler({ store: ctx.store, sql: ctx.sql, now: ctx.now, log });
  ctx.services.ballotQueries = queries;

  return {
    name: 'ballots',
    messages: ballotMessageModule({
      // Looked up per request: the authentication feature may be registered after this one.
      authenticate: async (token) => (ctx.services.voterAuth ? ctx.services.voterAuth.authenticate(token) : undefined),
      signer,
      caster,
      queries,
    }),
    projections: [votesProjection(), ballotCountsProjection()],
    async start() {
      await autoCloser.start();
      scheduler.start();
    },
    async close() {
      await scheduler.stop();
      await autoCloser.stop();
      await mixer?.close();
    },
  };
};
