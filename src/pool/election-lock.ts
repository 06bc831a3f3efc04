/**
 * One holder at a time per election for the pool's admit / release / close: an advisory lock on
 * PostgreSQL (processes take turns), a promise chain on single-connection PGlite.
 */
import { createHash } from 'node:crypto';
import type { SqlClient } from '../sql/client.ts';

export const POOL_LOCK_NAMESPACE = 73_028;

export type ElectionLock = <T>(electionId: string, fn: () => Promise<T>) => Promise<T>;

function electionKey(electionId: string): number {
  return createHash('sha256').update(electionId).digest().readInt32BE(0);
}

export function createElectionLock(sql: SqlClient): ElectionLock {
  if (sql.kind === 'postgres') {
    return (electionId, fn) =>
      sql.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock($1, $2)', [POOL_LOCK_NAMESPACE, electionKey(electionId)]);
        return fn();
      });
  }
  const tails = new Map<string, Promise<unknown>>();
  return (electionId, fn) => {
    const run = (tails.get(electionId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(electionId, tail);
    void tail.then(() => {
      if (tails.get(electionId) === tail) tails.delete(electionId);
    });
    return run;
  };
}
