/**
 * The auditor's client: export an election's log, verify it (src/audit/verify.ts) from a server, a
 * file or a database, and follow it live. Nothing here trusts the server.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifyFromFile, verifyLog, type VerifyOptions } from '../audit/verify.ts';
import { runAuditCommand } from '../audit/audit-command.ts';
import { ndjsonLineBatches } from '../audit/ndjson-lines.ts';
import type { AuditReport } from '../audit/report.ts';
import { parseFingerprint } from '../crypto/election-fingerprint.ts';
import type { WitnessPolicy } from '../audit/witness-check.ts';
import { followAndVerify, type FollowFailure, type VerifiedCheckpoint } from './audit-follow.ts';
import { EvoteConnection, EvoteError } from './connection.ts';

export type { AuditReport, AuditFailure, AuditProgress, AuditVerdict } from '../audit/report.ts';
export type { SignedCheckpoint } from '../audit/log-queries.ts';

/** http(s)://host:port of the gateway whose WebSocket URL is `wsUrl` (ws://host:port/ws). */
export function httpBaseOf(wsUrl: string): string {
  const u = new URL(wsUrl);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new EvoteError('USAGE', `not a WebSocket URL: ${wsUrl}`);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
}

/** The election's log as a stream of NDJSON bytes from the gateway (rejects with the server's code). */
export async function fetchLog(wsUrl: string, electionId: string): Promise<Readable> {
  const url = `${httpBaseOf(wsUrl)}/elections/${encodeURIComponent(electionId)}/log`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new EvoteError('UNREACHABLE', `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new EvoteError(body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? `GET ${url} answered ${res.status}`);
  }
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** Writes the election's log to `outPath` (or a Writable); returns the bytes and lines written. */
export async function exportLogToFile(wsUrl: string, electionId: string, out: string | NodeJS.WritableStream): Promise<{ bytes: number; lines: number }> {
  const body = await fetchLog(wsUrl, electionId);
  let bytes = 0;
  let lines = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (const b of chunk) if (b === 0x0a) lines++;
  });
  const sink = typeof out === 'string' ? createWriteStream(out, { mode: 0o644 }) : out;
  await pipeline(body, sink, { end: typeof out === 'string' });
  return { bytes, lines };
}

export interface AuditInput {
  /** A gateway's WebSocket URL (needs `electionId`), an exported NDJSON file, or a PostgreSQL URL (needs `electionId`). */
  from: string;
  electionId?: string;
  onProgress?: VerifyOptions['onProgress'];
  workers?: number;
  /** A running election: a log that verifies as far as it goes is PARTIAL (not INCOMPLETE). */
  live?: boolean;
  /** The election fingerprint expected (from a letter or the officials): any other key fails at ElectionCreated. */
  fingerprint?: string;
  /** Trusted witnesses and how many must co-sign the final checkpoint (docs/witnesses.md); fails WITNESS_* otherwise. */
  witnesses?: WitnessPolicy;
}

/** Runs the whole audit (verdict PASSED, FAILED, INCOMPLETE, or PARTIAL with `live`); a malformed `fingerprint` is USAGE. */
export async function audit(input: AuditInput): Promise<AuditReport> {
  if (input.fingerprint !== undefined && !parseFingerprint(input.fingerprint)) throw new EvoteError('USAGE', 'an election fingerprint is 64 hex digits');
  const w = input.witnesses;
  if (w && !(Number.isSafeInteger(w.min) && w.min >= 1 && (w.keys.length === 0 || w.min <= w.keys.length))) {
    throw new EvoteError('USAGE', 'the witnesses required must be between 1 and the number of witness keys given (or named by the election, when none is given)');
  }
  const opts: VerifyOptions = { onProgress: input.onProgress, live: input.live, fingerprint: input.fingerprint, witnesses: w, ...(input.workers ? { workers: input.workers } : {}) };
  if (/^wss?:\/\//.test(input.from)) {
    if (!input.electionId) throw new EvoteError('USAGE', 'auditing a server needs the election id');
    const body = await fetchLog(input.from, input.electionId);
    return verifyLog(ndjsonLineBatches(body), opts);
  }
  if (/^postgres(ql)?:\/\//.test(input.from)) {
    if (!input.electionId) throw new EvoteError('USAGE', 'auditing a database needs the election id');
    const { report } = await runAuditCommand({ from: input.from, electionId: input.electionId, onProgress: input.onProgress, live: input.live, fingerprint: input.fingerprint, witnesses: w, out: { write: () => true } });
    return report;
  }
  return verifyFromFile(input.from, opts);
}

export type { VerifiedCheckpoint, FollowFailure } from './audit-follow.ts';

/**
 * Follows the log live and yields each signed checkpoint once verified locally (src/client/audit-follow.ts).
 * Throws LOG_INCONSISTENT at the first failed check, CONNECTION_CLOSED on a drop (never resumed silently).
 */
export async function* followLog(wsUrl: string, electionId: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<VerifiedCheckpoint> {
  const verified: VerifiedCheckpoint[] = [];
  let failure: FollowFailure | undefined;
  let closed: { code: number; reason: string } | undefined;
  let wake: (() => void) | undefined;
  const ring = () => wake?.();
  const conn = await EvoteConnection.connect(wsUrl, { onClosed: (c) => ((closed = c), ring()) });
  opts.signal?.addEventListener('abort', ring, { once: true });
  try {
    const follower = await followAndVerify(conn, electionId, {
      onCheckpoint: (c) => (verified.push(c), ring()),
      onFailure: (f) => ((failure = f), ring()),
    });
    try {
      while (!opts.signal?.aborted) {
        const next = verified.shift();
        if (next) {
          yield next;
          continue;
        }
        if (failure) throw new EvoteError('LOG_INCONSISTENT', `${failure.check} at position ${failure.position} (${failure.type} in ${failure.streamId}): ${failure.message}`);
        if (closed) throw new EvoteError('CONNECTION_CLOSED', `the server closed the connection (${closed.code}) while following the log`);
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      if (!closed) await follower.stop().catch(() => undefined);
    }
  } finally {
    opts.signal?.removeEventListener('abort', ring);
    await conn.close();
  }
}
