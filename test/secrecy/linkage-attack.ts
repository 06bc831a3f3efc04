/**
 * The attacker of the linkage test: holds the exported public log and a pg_dump of the database
 * after the tally, and matches voters to ballots by order and by time. Nothing here knows the truth.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PublicEvent {
  position: number;
  streamId: string;
  type: string;
  data: Record<string, unknown>;
}

/** The export's event lines (GET /elections/:id/log). */
export function parseExport(ndjson: string): PublicEvent[] {
  return ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Partial<PublicEvent> & { format?: string })
    .filter((l): l is PublicEvent => l.format === undefined && typeof l.position === 'number');
}

/** Every table of a plain-format pg_dump, rows in dump order, columns by name. */
export function parseDump(sql: string): Map<string, Record<string, string>[]> {
  const tables = new Map<string, Record<string, string>[]>();
  const lines = sql.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^COPY (\S+) \((.*)\) FROM stdin;$/.exec(lines[i]!);
    if (!m) continue;
    const columns = m[2]!.split(', ').map((c) => c.replace(/"/g, ''));
    const rows: Record<string, string>[] = [];
    for (i++; lines[i] !== '\\.'; i++) {
      const values = lines[i]!.split('\t');
      rows.push(Object.fromEntries(columns.map((c, j) => [c, values[j] ?? ''])));
    }
    tables.set(m[1]!.replace(/^public\./, ''), rows);
  }
  return tables;
}

export async function pgDump(databaseUrl: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', databaseUrl], { maxBuffer: 512 * 1024 * 1024 });
  return stdout;
}

/** Guess by rank: the i-th voter to be signed cast the i-th ballot in the log. */
export function linkByOrder(events: PublicEvent[]): Map<string, string> {
  const signed = events.filter((e) => e.type === 'BlindSignatureIssued').sort((a, b) => a.position - b.position);
  const cast = events.filter((e) => e.type === 'BallotCast').sort((a, b) => a.position - b.position);
  return new Map(signed.map((s, i) => [String(s.data.voterId), String(cast[i]?.data.ballotHash)]));
}

/**
 * Guess by time, from the dump's recorded_at: each signed voter takes the first ballot recorded at
 * or after their signature that no earlier voter took.
 */
export function linkByTime(dump: Map<string, Record<string, string>[]>): Map<string, string> {
  const rows = dump.get('evote_events') ?? [];
  const at = (r: Record<string, string>) => Date.parse(r.recorded_at!.replace(' ', 'T').replace(/\+00$/, 'Z'));
  const signed = rows.filter((r) => r.type === 'BlindSignatureIssued').sort((a, b) => at(a) - at(b));
  const cast = rows.filter((r) => r.type === 'BallotCast').sort((a, b) => at(a) - at(b));
  const taken = new Set<number>();
  const out = new Map<string, string>();
  let from = 0;
  for (const s of signed) {
    while (from < cast.length && (taken.has(from) || at(cast[from]!) < at(s))) from++;
    const j = from < cast.length ? from : cast.findIndex((_, x) => !taken.has(x));
    if (j < 0) break;
    taken.add(j);
    const data = JSON.parse(s.data!) as { voterId: string };
    out.set(data.voterId, (JSON.parse(cast[j]!.data!) as { ballotHash: string }).ballotHash);
  }
  return out;
}

/** Share of voters whose guessed ballot is theirs. */
export function linkedShare(guess: Map<string, string>, truth: Map<string, string>): number {
  let hits = 0;
  for (const [voterId, ballotHash] of truth) if (guess.get(voterId) === ballotHash) hits++;
  return hits / truth.size;
}
