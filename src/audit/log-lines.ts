/** The export format `evote-log/v1`: NDJSON in canonical JSON (docs/audit.md, "Export"). */
import type { LogCheckpointed } from '../domain/log-events.ts';
import type { LogEntry } from '../domain/log-entry-text.ts';

export const LOG_FORMAT = 'evote-log/v1';

export interface HeaderLine {
  format: typeof LOG_FORMAT;
  electionId: string;
  exportedAt: string;
}

export interface EventLine extends LogEntry {
  leafIndex: number;
  leafHash: string;
}

export interface CheckpointLine {
  position: number;
  streamId: string;
  revision: number;
  type: 'LogCheckpointed';
  data: LogCheckpointed['data'];
}

export type LogLine = HeaderLine | EventLine | CheckpointLine;

export const isHeaderLine = (l: unknown): l is HeaderLine => typeof l === 'object' && l !== null && 'format' in l;
export const isCheckpointLine = (l: LogLine): l is CheckpointLine => (l as { type?: unknown }).type === 'LogCheckpointed';

/** The snapshot an `audit.follow` subscription answers with, before it pushes lines. */
export interface FollowSnapshot {
  electionId: string;
  /** Exclusive position the stream starts after. */
  after: number;
  /** Leaf index of the first leaf that will be pushed. */
  nextLeafIndex: number;
}
