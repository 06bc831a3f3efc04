/**
 * Exports an election's log as `evote-log/v1` NDJSON, streaming with backpressure, up to the store's
 * head at the start. Checkpoints are read first, so each lands right after the leaf it ends; witnesses'
 * co-signatures come last.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import { canonicalJson } from '../crypto/canonical.ts';
import type { LogCheckpointed } from '../domain/log-events.ts';
import { electionLogMatcher, electionLogPrefixes, entryLeafHash } from '../domain/log-entry.ts';
import { logStreamId } from '../domain/streams.ts';
import { LOG_FORMAT, type CheckpointLine, type CosignatureLine, type EventLine, type LogLine } from './log-lines.ts';
import { recordedCosignatures } from './cosignature-board.ts';

const PAGE = 1000;

export interface ExportOptions {
  now?: () => Date;
  /** Exclusive upper bound on positions (default: the head at the start). */
  untilPosition?: number;
}

function checkpointLine(e: RecordedEvent): CheckpointLine {
  return { position: e.position, streamId: e.streamId, revision: e.revision, type: 'LogCheckpointed', data: e.data as LogCheckpointed['data'] };
}

/** The export's lines, as objects (the verifier reads these directly in `verifyFromStore`). */
export async function* electionLogLines(store: EventStore, electionId: string, opts: ExportOptions = {}): AsyncGenerator<LogLine> {
  const head = opts.untilPosition ?? (await store.headPosition());
  const checkpoints = (await store.readStream(logStreamId(electionId)))
    .filter((e) => e.type === 'LogCheckpointed' && e.position <= head)
    .map(checkpointLine);
  yield { format: LOG_FORMAT, electionId, exportedAt: (opts.now ?? (() => new Date()))().toISOString() };
  const belongs = electionLogMatcher(electionId);
  let next = 0;
  let leaves = 0;
  let from = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: PAGE, filter: { streamPrefixes: electionLogPrefixes(electionId) } });
    for (const e of page) {
      if (e.position > head) break;
      if (!belongs(e)) continue;
      const entry = { position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data };
      const line: EventLine = { ...entry, leafIndex: leaves, leafHash: Buffer.from(entryLeafHash(entry)).toString('hex') };
      leaves++;
      yield line;
      while (next < checkpoints.length && (checkpoints[next] as CheckpointLine).data.size <= leaves) yield checkpoints[next++] as CheckpointLine;
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || last.position > head) break;
    from = last.position;
  }
  // Checkpoints claiming more leaves than the log holds: exported anyway, for the verifier to refuse.
  while (next < checkpoints.length) yield checkpoints[next++] as CheckpointLine;
  // Co-signatures arrive after the checkpoint they sign: all of them close the export.
  for (const e of await recordedCosignatures(store, electionId, head)) {
    yield { position: e.position, streamId: e.streamId, revision: e.revision, type: 'CheckpointCosigned', data: e.data as CosignatureLine['data'] };
  }
}

/** Writes the NDJSON export to `out` (a file, stdout, an HTTP response); resolves with what it wrote. */
export async function exportLog(store: EventStore, electionId: string, out: Writable, opts: ExportOptions = {}): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async () => {
    if (chunk.length === 0) return;
    bytes += Buffer.byteLength(chunk);
    const more = out.write(chunk);
    chunk = '';
    if (!more) await once(out, 'drain');
  };
  for await (const line of electionLogLines(store, electionId, opts)) {
    chunk += canonicalJson(line) + '\n';
    lines++;
    if (chunk.length >= 64 * 1024) await flush();
  }
  await flush();
  return { lines, bytes };
}
