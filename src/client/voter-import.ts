/**
 * A voter CSV of any size, checked whole with the server's own rules, then sent in requests that
 * fit the gateway's frame limit; refusals are mapped back to lines of the file (docs/gateway.md).
 */
import { parseVoterCsv } from '../commands/csv.ts';
import { validateEmail } from '../domain/election.ts';
import { parseWeight } from '../domain/weight-classes.ts';
import { domainError, type DomainError } from '../domain/errors.ts';
import { EvoteError } from './errors.ts';
import type { ImportProgress, ImportResult } from '../commands/election-command-handlers.ts';

/** CSV characters per request: a 64 KiB frame holds this plus the envelope and JSON escapes. */
export const IMPORT_CHUNK_CHARS = 48 * 1024;

export interface ImportChunk {
  /** `email` header (`email,weight` when the file has weights), then one normalised address (and weight) a line. */
  csv: string;
  /** The file's line of each row of `csv` (index 0 = the chunk's line 2). */
  lines: number[];
}

export type ImportPlan = { ok: true; chunks: ImportChunk[]; total: number } | { ok: false; error: DomainError };

const atLine = (line: number, error: DomainError, extra: Record<string, unknown> = {}) =>
  domainError(error.code, `line ${line}: ${error.message}`, { line, ...extra });

export function planVoterImport(csv: string, chunkChars = IMPORT_CHUNK_CHARS): ImportPlan {
  const parsed = parseVoterCsv(csv);
  if (!parsed.ok) return parsed;
  const firstLineOf = new Map<string, number>();
  const chunks: ImportChunk[] = [];
  const weighted = parsed.rows.length > 0 && parsed.rows[0]?.weight !== undefined;
  let rows: string[] = [];
  let lines: number[] = [];
  let size = 0;
  const flush = () => {
    chunks.push({ csv: [weighted ? 'email,weight' : 'email', ...rows].join('\n') + '\n', lines });
    rows = [];
    lines = [];
    size = 0;
  };
  for (const row of parsed.rows) {
    const email = validateEmail(row.email);
    if (typeof email !== 'string') return { ok: false, error: atLine(row.line, email) };
    const firstLine = firstLineOf.get(email);
    if (firstLine !== undefined) {
      return { ok: false, error: domainError('DUPLICATE_VOTER', `line ${row.line}: same e-mail address as line ${firstLine}`, { line: row.line, firstLine }) };
    }
    firstLineOf.set(email, row.line);
    let text = email;
    if (weighted) {
      const cell = (row.weight ?? '').trim();
      const weight = cell === '' ? '' : parseWeight(cell);
      if (weight === undefined) return { ok: false, error: domainError('INVALID_WEIGHT', `line ${row.line}: a weight is a positive integer`, { line: row.line }) };
      text = `${email},${weight}`;
    }
    // Normalised addresses and weights are ASCII without quotes or backslashes: one JSON byte each, plus "\n".
    if (size + text.length + 2 > chunkChars && rows.length > 0) flush();
    rows.push(text);
    lines.push(row.line);
    size += text.length + 2;
  }
  // Even an empty list is sent once: the server still checks the election and answers a position.
  if (rows.length > 0 || chunks.length === 0) flush();
  return { ok: true, chunks, total: parsed.rows.length };
}

/** A refusal of one chunk, with its line numbers and counts restated for the whole file. */
function inFile(err: unknown, chunk: ImportChunk, before: ImportResult): unknown {
  if (!(err instanceof EvoteError) || !err.details) return err;
  const fileLine = (n: number) => chunk.lines[n - 2] ?? n;
  const details: Record<string, unknown> = { ...err.details };
  for (const key of ['line', 'firstLine']) if (typeof details[key] === 'number') details[key] = fileLine(details[key] as number);
  if (typeof details.imported === 'number') details.imported += before.imported;
  else if (before.imported > 0) details.imported = before.imported;
  const message = err.message.replace(/\bline (\d+)/g, (_, n: string) => `line ${fileLine(Number(n))}`);
  return new EvoteError(err.code, message, details);
}

/** Sends the chunks one after the other; a refusal stops the import (re-running it completes it). */
export async function importInChunks(
  csv: string,
  send: (chunkCsv: string, onProgress: (p: ImportProgress) => void) => Promise<ImportResult>,
  onProgress: (p: ImportProgress) => void = () => undefined,
): Promise<ImportResult> {
  const plan = planVoterImport(csv);
  if (!plan.ok) throw new EvoteError(plan.error.code, plan.error.message, plan.error.details);
  const sum: ImportResult = { imported: 0, skipped: 0, position: 0 };
  for (const chunk of plan.chunks) {
    try {
      const r = await send(chunk.csv, (p) => onProgress({ done: sum.imported + p.done, total: plan.total, skipped: sum.skipped + (p.skipped ?? 0) }));
      sum.imported += r.imported;
      sum.skipped += r.skipped;
      sum.position = r.position;
    } catch (err) {
      throw inFile(err, chunk, sum);
    }
  }
  return sum;
}
