/**
 * Ends elections past their closing time, and is the ALL_VOTED backstop of auto-close.ts. The
 * decider decides, so a stale read model can delay a close, never make a wrong one.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { SqlExecutor } from '../sql/client.ts';
import type { VotingEndReason } from '../domain/election-events.ts';
import { endVoting } from './auto-close.ts';
import type { BallotPool } from './ballot-pool.ts';
import { POOL_ELECTIONS_TABLE } from '../pool/pool-table.ts';

export interface ClosingSchedulerDeps {
  store: EventStore;
  pool: Pick<BallotPool, 'closeVoting'>;
  sql: SqlExecutor;
  now: () => Date;
  log: Logger;
  intervalMs?: number;
}

export interface ClosingScheduler {
  start(): void;
  stop(): Promise<void>;
  /** One pass now; returns the elections it ended (tests and start-up). */
  tick(): Promise<{ electionId: string; reason: VotingEndReason }[]>;
}

export function createClosingScheduler(deps: ClosingSchedulerDeps): ClosingScheduler {
  const intervalMs = deps.intervalMs ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const due = async (now: Date) => {
    const { rows } = await deps.sql.query<{ election_id: string; reason: VotingEndReason }>(
      `SELECT e.election_id,
              CASE WHEN e.closes_at IS NOT NULL AND e.closes_at <= $1 THEN 'CLOSING_TIME' ELSE 'ALL_VOTED' END AS reason
         FROM elections e LEFT JOIN ${POOL_ELECTIONS_TABLE} b ON b.election_id = e.election_id
        WHERE e.status = 'VOTE_STARTED'
          AND ((e.closes_at IS NOT NULL AND e.closes_at <= $1) OR COALESCE(b.admitted_casts, 0) >= e.expected_voters)`,
      [now.toISOString()],
    );
    return rows;
  };

  const tick = async () => {
    const now = deps.now();
    const ended: { electionId: string; reason: VotingEndReason }[] = [];
    for (const row of await due(now)) {
      const r = await endVoting(deps, row.election_id, row.reason, now);
      if (r.ok) {
        ended.push({ electionId: row.election_id, reason: row.reason });
        deps.log.info('voting ended by the scheduler', { electionId: row.election_id, reason: row.reason });
      } else if (r.error.code !== 'WRONG_STATE') {
        deps.log.warn('scheduled close refused', { electionId: row.election_id, reason: row.reason, errorCode: r.error.code });
      }
    }
    return ended;
  };

  const loop = () => {
    running = tick()
      .catch((err: unknown) => deps.log.error('closing scheduler pass failed', { error: (err as Error).message }))
      .finally(() => {
        running = undefined;
        if (timer) {
          timer = setTimeout(loop, intervalMs);
          timer.unref();
        }
      });
  };

  return {
    start() {
      if (timer) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    tick,
  };
}
