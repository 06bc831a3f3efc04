/**
 * Is an election open for login? A view of the process-wide election status cache; staleness only
 * delays when logins start or stop, casting checks the state on its own.
 */
import type { ElectionRow } from '../projections/read-models.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';

export interface ElectionStatusReader {
  get(electionId: string): Promise<ElectionRow['status'] | undefined>;
}

export function electionStatusReader(status: (electionId: string) => Promise<ElectionStatusView>): ElectionStatusReader {
  return {
    async get(electionId) {
      const s = await status(electionId);
      return s === 'NONE' ? undefined : s;
    },
  };
}
