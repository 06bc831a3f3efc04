/**
 * The auditor's client: export an election's log (GET /elections/:id/log, `evote-log/v1` NDJSON),
 * run the independent verifier (src/audit/verify.ts) over a server, a file or a PostgreSQL database,
 * and follow the log live by its signed checkpoints, each proven consistent with the one before.
 * Nothing here trusts the server: the verifier recomputes everything from the log's own content.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import type { ElectionRow } from '../app/services.ts';
import { verifyFromFile, verifyLog, type VerifyOptions } from '../audit/verify.ts';
import { runAuditCommand } from '../audit/audit-command.ts';
import type { AuditReport } from '../audit/report.ts';
import { logPublicKeyFromRaw, verifyCheckpoint } from '../audit/checkpoint.ts';
import type { SignedCheckpoint } from '../audit/log-queries.ts';
import { verifyConsistency } from '../audit/merkle.ts';
import { EvoteConnection, EvoteError } from './connection.ts';

export type { AuditReport, AuditFailure, AuditProgress } from '../audit/report.ts';
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
}

/** Runs the whole audit; `report.ok` is true only when every check held, `report.failures[0]` names the first broken event. */
export async function audit(input: AuditInput): Promise<AuditReport> {
  const opts: VerifyOptions = { onProgress: input.onProgress, ...(input.workers ? { workers: input.workers } : {}) };
  if (/^wss?:\/\//.test(input.from)) {
    if (!input.electionId) throw new EvoteError('USAGE', 'auditing a server needs the election id');
    const body = await fetchLog(input.from, input.electionId);
    return verifyLog(createInterface({ input: body, crlfDelay: Infinity }), opts);
  }
  if (/^postgres(ql)?:\/\//.test(input.from)) {
    if (!input.electionId) throw new EvoteError('USAGE', 'auditing a database needs the election id');
    const { report } = await runAuditCommand({ from: input.from, electionId: input.electionId, onProgress: input.onProgress, out: { write: () => true } });
    return report;
  }
  return verifyFromFile(input.from, opts);
}

export interface VerifiedCheckpoint extends SignedCheckpoint {
  /** True when this checkpoint was proven an append-only extension of the previous one seen. */
  consistentWithPrevious: boolean;
}

/**
 * Follows an election's log live: polls `audit.checkpoint` and yields each new signed checkpoint
 * after checking its Ed25519 signature under the election's published log key and an RFC 9162
 * consistency proof from the previous one (the server cannot rewrite history it already signed
 * without this throwing). Stops when `signal` aborts; throws EvoteError('LOG_INCONSISTENT') on a
 * bad signature or proof.
 */
export async function* followLog(wsUrl: string, electionId: string, opts: { pollMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<VerifiedCheckpoint> {
  const conn = await EvoteConnection.connect(wsUrl, { reconnect: true });
  try {
    const election = await conn.request<ElectionRow>('query', 'election.get', { electionId });
    const key = election.logPublicKey ? logPublicKeyFromRaw(election.logPublicKey) : undefined;
    if (!key) throw new EvoteError('LOG_INCONSISTENT', 'the election publishes no valid log key');
    let previous: SignedCheckpoint | undefined;
    while (!opts.signal?.aborted) {
      const cp = await conn.request<SignedCheckpoint>('query', 'audit.checkpoint', { electionId }).catch((err: unknown) => {
        if (err instanceof EvoteError && err.code === 'LOG_NOT_CHECKPOINTED') return undefined;
        throw err;
      });
      if (cp && (!previous || cp.size > previous.size)) {
        if (!verifyCheckpoint(key, cp, cp.signature)) throw new EvoteError('LOG_INCONSISTENT', `checkpoint of size ${cp.size} has a bad signature`);
        let consistent = false;
        if (previous) {
          const p = await conn.request<{ fromRoot: string; toRoot: string; proof: string[] }>('query', 'audit.consistencyProof', { electionId, from: previous.size, to: cp.size });
          const h = (x: string) => new Uint8Array(Buffer.from(x, 'hex'));
          consistent = p.fromRoot === previous.root && p.toRoot === cp.root && verifyConsistency(previous.size, cp.size, h(previous.root), h(cp.root), p.proof.map(h));
          if (!consistent) throw new EvoteError('LOG_INCONSISTENT', `checkpoint of size ${cp.size} is not an extension of the one of size ${previous.size}`);
        }
        previous = cp;
        yield { ...cp, consistentWithPrevious: consistent };
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollMs ?? 1_000);
        opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    await conn.close();
  }
}
