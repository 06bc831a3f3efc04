/**
 * One verification of an exported log in the browser: the bytes in, the report out, progress on the
 * way. The checks are the CLI's (src/audit/verify-core.ts) on the browser's platform. Runs in the
 * Web Worker (verify-worker.ts); a Node test and the benchmark call it too.
 */
import { verifyLogOn } from '../../../src/audit/verify-core.ts';
import type { AuditReport } from '../../../src/audit/report.ts';
import type { CryptoPrimitives } from '../../../src/crypto/primitives.ts';
import { browserAuditPlatform } from './browser-platform.ts';
import { ndjsonLineBatches } from './log-source.ts';

export interface VerifyProgress {
  /** Bytes of the export read so far, of `totalBytes` when known. */
  bytes: number;
  totalBytes: number | null;
  /** Lines read (header, events, checkpoints). */
  lines: number;
  /** Events whose ordered checks passed (the core reports this every 10,000 events and at the end). */
  events: number;
  ballotsChecked: number;
  elapsedMs: number;
}

export interface VerifyStreamOptions {
  totalBytes?: number | null;
  onProgress?(p: VerifyProgress): void;
  /** Least time between two progress calls (default 100 ms). */
  progressEveryMs?: number;
  /** The primitives (default: the browser's); a Node test may compare platforms. */
  crypto?: CryptoPrimitives;
  /** Helper workers for leaf hashing and ballot opening; 0 (the default) does it in this thread. */
  helpers?: number;
}

/** Verifies the NDJSON export read from `stream`; resolves with the same report `evote audit --json` prints. */
export async function verifyStream(stream: ReadableStream<Uint8Array>, opts: VerifyStreamOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const p: VerifyProgress = { bytes: 0, totalBytes: opts.totalBytes ?? null, lines: 0, events: 0, ballotsChecked: 0, elapsedMs: 0 };
  const every = opts.progressEveryMs ?? 100;
  let last = -Infinity;
  const tell = (force = false) => {
    const now = performance.now();
    if (!force && now - last < every) return;
    last = now;
    p.elapsedMs = now - started;
    opts.onProgress?.({ ...p });
  };
  async function* counted(): AsyncGenerator<string[]> {
    for await (const batch of ndjsonLineBatches(stream, (n) => (p.bytes += n))) {
      p.lines += batch.length;
      yield batch;
      tell();
    }
  }
  const helpers = opts.helpers ?? 0;
  const report = await verifyLogOn(browserAuditPlatform(opts.crypto, helpers), counted(), {
    workers: Math.max(1, helpers),
    onProgress: (core) => {
      p.events = core.events;
      p.ballotsChecked = core.ballotsChecked;
      tell();
    },
  });
  p.events = report.events;
  p.ballotsChecked = report.ballotsCounted;
  tell(true);
  return report;
}
