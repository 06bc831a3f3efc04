/**
 * Is an election open for login? Read from the elections read model and kept for a second per
 * election, so a burst of logins costs one query per election per second instead of one each.
 * A second's staleness only delays when logins start or stop being accepted; casting a ballot
 * checks the election's state on its own.
 */
import type { ElectionRow, ReadModelQueries } from '../app/services.ts';

export interface ElectionStatusReader {
  get(electionId: string): Promise<ElectionRow['status'] | undefined>;
}

const MAX_ENTRIES = 10_000;

export function createElectionStatusReader(queries: ReadModelQueries, opts: { ttlMs?: number; now?: () => number } = {}): ElectionStatusReader {
  const ttlMs = opts.ttlMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { status: Promise<ElectionRow['status'] | undefined>; until: number }>();
  return {
    get(electionId) {
      const hit = cache.get(electionId);
      if (hit && hit.until > now()) return hit.status;
      const status = queries.getElection(electionId).then((row) => row?.status);
      if (ttlMs > 0) {
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(electionId, { status, until: now() + ttlMs });
        // A failed read is not remembered: the next caller tries again.
        status.catch(() => {
          if (cache.get(electionId)?.status === status) cache.delete(electionId);
        });
      }
      return status;
    },
  };
}
