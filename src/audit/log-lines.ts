/** The export format `evote-log/v1`: NDJSON in canonical JSON (docs/audit.md, "Export"). */
import type { CheckpointCosigned, LogCheckpointed } from '../domain/log-events.ts';
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

/** A witness's co-signature, after every event and checkpoint: outside the Merkle tree (docs/witnesses.md). */
export interface CosignatureLine {
  position: number;
  streamId: string;
  revision: number;
  type: 'CheckpointCosigned';
  data: CheckpointCosigned['data'];
}

export type LogLine = HeaderLine | EventLine | CheckpointLine | CosignatureLine;

export const isHeaderLine = (l: unknown): l is HeaderLine => typeof l === 'object' && l !== null && 'format' in l;
export const isCheckpointLine = (l: LogLine): l is CheckpointLine => (l as { type?: unknown }).type === 'LogCheckpointed';
export const isCosignatureLine = (l: LogLine): l is CosignatureLine => (l as { type?: unknown }).type === 'CheckpointCosigned';

/** The snapshot an `audit.follow` subscription answers with, before it pushes lines. */
export interface FollowSnapshot {
  electionId: string;
  /** Exclusive position the stream starts after. */
  after: number;
  /** Leaf index of the first leaf that will be pushed. */
  nextLeafIndex: number;
}
