/**
 * Closing by turnout (docs/ballots.md, "Closing"): QuotaReached from the process that admitted the
 * last cast; the closing scheduler is the backstop. Every close goes through the pool.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { ElectionRow } from '../projections/read-models.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { Result } from '../domain/errors.ts';
import type { VotingEndReason } from '../domain/election-events.ts';
import { electionDecider } from '../domain/election.ts';
import type { BallotPool } from './ballot-pool.ts';
import { handleCommand } from './command-handler.ts';
import { electionStreamId } from '../domain/streams.ts';

export const AUTO_CLOSE_CHANNEL = 'evote:ballots:quota-reached';

export interface QuotaReached {
  electionId: string;
  ballots: number;
  expectedVoters: number;
}

/** Releases the pool, then appends VotingEnded with `reason` through the election decider. */
export function endVoting(
  deps: { store: EventStore; pool: Pick<BallotPool, 'closeVoting'> },
  electionId: string,
  reason: VotingEndReason,
  now: Date,
): Promise<Result<unknown>> {
  return deps.pool.closeVoting(electionId, () =>
    handleCommand(deps.store, electionDecider, electionStreamId(electionId), { type: 'EndVoting', electionId, reason, now: now.toISOString() }),
  );
}

/**
 * The pool's `onAdmittedCasts` hook: QuotaReached once an open election's casts reach its expected
 * voters (fixed once voting started, so looked up once). A failed look-up is only logged.
 */
export function quotaNotifier(deps: {
  getElection: (electionId: string) => Promise<Pick<ElectionRow, 'status' | 'expectedVoters'> | undefined>;
  pubsub: PubSub;
  log: Logger;
}): (electionId: string, admittedCasts: number) => void {
  const expected = new Map<string, number>();
  const expectedVoters = async (electionId: string) => {
    const known = expected.get(electionId);
    if (known !== undefined) return known;
    const row = await deps.getElection(electionId);
    if (row?.status !== 'VOTE_STARTED') return undefined;
    expected.set(electionId, row.expectedVoters);
    return row.expectedVoters;
  };
  return (electionId, ballots) => {
    void expectedVoters(electionId)
      .then(async (quota) => {
        if (quota === undefined || ballots < quota) return;
        expected.delete(electionId);
        const message: QuotaReached = { electionId, ballots, expectedVoters: quota };
        await deps.pubsub.publish(AUTO_CLOSE_CHANNEL, message);
      })
      .catch((err: unknown) => deps.log.warn('turnout check failed; the closing scheduler will retry', { electionId, error: (err as Error).message }));
  };
}

export interface AutoCloser {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAutoCloser(deps: { store: EventStore; pool: Pick<BallotPool, 'closeVoting'>; pubsub: PubSub; now: () => Date; log: Logger }): AutoCloser {
  let unsubscribe: (() => Promise<void>) | undefined;
  const inflight = new Set<Promise<void>>();

  const close = async (q: QuotaReached) => {
    const r = await endVoting(deps, q.electionId, 'ALL_VOTED', deps.now());
    if (r.ok) deps.log.info('voting ended: every expected voter cast a ballot', { electionId: q.electionId, ballots: q.ballots });
    else if (r.error.code !== 'WRONG_STATE') deps.log.warn('auto-close refused', { electionId: q.electionId, errorCode: r.error.code });
  };

  return {
    async start() {
      unsubscribe = await deps.pubsub.subscribe(AUTO_CLOSE_CHANNEL, (message) => {
        const q = message as QuotaReached;
        if (typeof q?.electionId !== 'string') return;
        const p = close(q).catch((err: unknown) => deps.log.error('auto-close failed', { electionId: q.electionId, error: (err as Error).message }));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      });
    },
    async stop() {
      await unsubscribe?.();
      unsubscribe = undefined;
      await Promise.allSettled([...inflight]);
    },
  };
}
