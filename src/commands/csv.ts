/**
 * The voter list import format: RFC 4180 CSV with an `email` column and, for a weighted election, a
 * `weight` column (docs/events.md "Voter import").
 * Lines are counted here, not taken from csv-parse, whose `lines` is where a record ends and counts
 * a quoted CRLF twice: blank lines are kept as records, then dropped.
 */
import { parse, CsvError, type Options } from 'csv-parse/sync';
import { domainError, type DomainError } from '../domain/errors.ts';

export interface VoterCsvRow {
  email: string;
  /** The `weight` cell as written, when the header has that column. */
  weight?: string;
  line: number;
}

export type VoterCsvResult = { ok: true; rows: VoterCsvRow[] } | { ok: false; error: DomainError };

const OPTIONS: Options = {
  bom: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true, // checked below, to name the line and the expected width
};

const invalid = (line: number, why: string): { ok: false; error: DomainError } => ({
  ok: false,
  error: domainError('INVALID_CSV', `line ${line}: ${why}`, { line }),
});

/** csv-parse's messages quote the cell (an address): only the fault is passed on. */
function quotingFault(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted field';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and double the quote)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote';
    default:
      return `malformed CSV (${err.code})`;
  }
}

function lineBreaksIn(fields: string[]): number {
  let count = 0;
  for (const s of fields) {
    if (s.indexOf('\n') < 0 && s.indexOf('\r') < 0) continue;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c === 10) count++;
      else if (c === 13 && s.charCodeAt(k + 1) !== 10) count++;
    }
  }
  return count;
}

type Walk = { ok: false; error: DomainError } | { ok: true; rows: VoterCsvRow[]; headerSeen: boolean; nextLine: number };

function walk(records: string[][]): Walk {
  let line = 1;
  let emailColumn = -1;
  let weightColumn = -1;
  let width = 0;
  const rows: VoterCsvRow[] = [];
  for (const fields of records) {
    const recordLine = line;
    line += 1 + lineBreaksIn(fields);
    // Spreadsheets leave whitespace-only lines behind; they are blank, not a voter with no address.
    if (fields.length === 1 && (fields[0] as string).trim() === '') continue;
    if (emailColumn < 0) {
      const names = fields.map((f) => f.trim().toLowerCase());
      emailColumn = names.indexOf('email');
      if (emailColumn < 0) return invalid(recordLine, 'the header row has no "email" column');
      if (names.indexOf('email', emailColumn + 1) >= 0) return invalid(recordLine, 'the header row has more than one "email" column');
      weightColumn = names.indexOf('weight');
      if (weightColumn >= 0 && names.indexOf('weight', weightColumn + 1) >= 0) return invalid(recordLine, 'the header row has more than one "weight" column');
      width = fields.length;
      continue;
    }
    if (fields.length !== width) return invalid(recordLine, `expected ${width} fields, found ${fields.length}`);
    rows.push(weightColumn < 0 ? { email: fields[emailColumn] as string, line: recordLine } : { email: fields[emailColumn] as string, weight: fields[weightColumn] as string, line: recordLine });
  }
  return { ok: true, rows, headerSeen: emailColumn >= 0, nextLine: line };
}

export function parseVoterCsv(text: string): VoterCsvResult {
  let records: string[][];
  try {
    records = parse(text, OPTIONS);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // The records before the fault, read again: an earlier fault comes first, else they give the faulty record's line.
    const emitted = typeof err.records === 'number' ? err.records : 0; // records before the faulty one
    const before = walk(emitted > 0 ? parse(text, { ...OPTIONS, to: emitted }) : []);
    return before.ok ? invalid(before.nextLine, quotingFault(err)) : before;
  }
  const read = walk(records);
  if (!read.ok) return read;
  if (!read.headerSeen) return invalid(1, 'missing header row with an "email" column');
  return { ok: true, rows: read.rows };
}
