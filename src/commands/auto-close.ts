/**
 * Closing by turnout (DESIGN.md step 6, seed 003): when the ballots of an election reach its
 * expected voters, voting ends with reason ALL_VOTED.
 *
 * Two parts:
 * - the `ballot_counts` projection counts BallotCast per election (exactly once, in the runner's
 *   transaction) and, when a batch brings an election in VOTE_STARTED to its expected voters,
 *   returns a notification on AUTO_CLOSE_CHANNEL, published after the commit;
 * - the process manager (`createAutoCloser`) hears it and appends VotingEnded through the election
 *   decider. The closing scheduler (closing-scheduler.ts) re-checks every second from the tables,
 *   so a lost notification only delays the close. Ending is idempotent: a second attempt (another
 *   process, the scheduler) gets WRONG_STATE, which is expected and ignored.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../app/log.ts';
import type { PubSub, Result } from '../app/services.ts';
import type { BallotCast } from '../domain/credential-events.ts';
import { electionStreamId, type VotingEndReason } from '../domain/election-events.ts';
import { electionDecider } from '../domain/election.ts';
import type { Notification, Projection } from '../projections/projection.ts';
import { CREDENTIAL_STREAM_PREFIX } from '../projections/votes-projection.ts';
import { handleCommand } from './command-handler.ts';

export const BALLOT_COUNTS_TABLE = 'ballot_counts';
export const AUTO_CLOSE_CHANNEL = 'evote:ballots:quota-reached';

export interface QuotaReached {
  electionId: string;
  ballots: number;
  expectedVoters: number;
}

export function ballotCountsProjection(): Projection {
  return {
    name: 'ballot_counts',
    filter: { streamPrefixes: [CREDENTIAL_STREAM_PREFIX], eventTypes: ['BallotCast'] },

    async setup(db) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${BALLOT_COUNTS_TABLE} (election_id text PRIMARY KEY, ballots integer NOT NULL)`);
    },

    async reset(tx) {
      await tx.query(`DELETE FROM ${BALLOT_COUNTS_TABLE}`);
    },

    async apply(tx, events) {
      const perElection = new Map<string, number>();
      for (const e of events) {
        const id = (e.data as BallotCast['data']).electionId;
        perElection.set(id, (perElection.get(id) ?? 0) + 1);
      }
      const out: Notification[] = [];
      for (const [electionId, added] of perElection) {
        const { rows } = await tx.query<{ ballots: number }>(
          `INSERT INTO ${BALLOT_COUNTS_TABLE} (election_id, ballots) VALUES ($1, $2)
           ON CONFLICT (election_id) DO UPDATE SET ballots = ${BALLOT_COUNTS_TABLE}.ballots + EXCLUDED.ballots RETURNING ballots`,
          [electionId, added],
        );
        const ballots = Number(rows[0]?.ballots ?? 0);
        // The elections row may lag (another projection); the scheduler's re-check covers that case.
        const election = await tx.query<{ expected_voters: number; status: string }>(
          'SELECT expected_voters, status FROM elections WHERE election_id = $1',
          [electionId],
        );
        const row = election.rows[0];
        if (row && row.status === 'VOTE_STARTED' && ballots >= row.expected_voters && ballots - added < row.expected_voters) {
          const message: QuotaReached = { electionId, ballots, expectedVoters: row.expected_voters };
          out.push({ channel: AUTO_CLOSE_CHANNEL, message });
        }
      }
      return out;
    },
  };
}

/** Appends VotingEnded with `reason` through the election decider (its rules: state, closing time). */
export function endVoting(store: EventStore, electionId: string, reason: VotingEndReason, now: Date): Promise<Result<unknown>> {
  return handleCommand(store, electionDecider, electionStreamId(electionId), { type: 'EndVoting', electionId, reason, now: now.toISOString() });
}

export interface AutoCloser {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAutoCloser(deps: { store: EventStore; pubsub: PubSub; now: () => Date; log: Logger }): AutoCloser {
  let unsubscribe: (() => Promise<void>) | undefined;
  const inflight = new Set<Promise<void>>();

  const close = async (q: QuotaReached) => {
    const r = await endVoting(deps.store, q.electionId, 'ALL_VOTED', deps.now());
    if (r.ok) deps.log.info('voting ended: every expected voter cast a ballot', { electionId: q.electionId, ballots: q.ballots });
    else if (r.error.code !== 'WRONG_STATE') deps.log.warn('auto-close refused', { electionId: q.electionId, code: r.error.code });
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
