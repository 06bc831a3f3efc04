/**
 * One holder at a time per election for the pool's admit / release / close steps. On PostgreSQL it
 * is a transaction-scoped advisory lock, so gateway processes sharing a database take turns; the
 * work inside runs on other connections while one connection holds the lock. PGlite is one process
 * and one connection, so a promise chain per election is the same guarantee there.
 */
import { createHash } from 'node:crypto';
import type { SqlClient } from '../sql/client.ts';

/** First key of the two-key advisory lock space; the second is derived from the election id. */
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
