/**
 * The voter list import format: RFC 4180 CSV with a header row that names an `email` column
 * (any case, any position; other columns are ignored). Quoted fields may hold commas, doubled
 * quotes and line breaks; CRLF, LF and lone CR all end a record; a leading BOM is dropped; blank
 * lines are skipped. Line numbers are 1-based physical lines of the text (the header is usually
 * line 1), the line where the record starts, so an operator can find the row in an editor.
 * E-mail validity is the decider's business: this only gets the cell out.
 */
import { domainError, type DomainError } from '../domain/errors.ts';

export interface VoterCsvRow {
  email: string;
  line: number;
}

export type VoterCsvResult = { ok: true; rows: VoterCsvRow[] } | { ok: false; error: DomainError };

const QUOTE = 34; // "
const COMMA = 44;
const LF = 10;
const CR = 13;

interface CsvRecord {
  fields: string[];
  line: number;
}

const invalid = (line: number, why: string): { ok: false; error: DomainError } => ({
  ok: false,
  error: domainError('INVALID_CSV', `line ${line}: ${why}`, { line }),
});

/**
 * Calls `onRecord` for each record; returns an error for malformed quoting. A callback (not an
 * array of records) keeps a 100,000-row file from being held twice.
 */
function scanRecords(text: string, onRecord: (record: CsvRecord) => DomainError | undefined): DomainError | undefined {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      // One field starting at i.
      if (i < n && text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) return invalid(recordLine, 'unterminated quoted field').error;
          const chunk = text.slice(from, q);
          value += chunk;
          line += countLineBreaks(chunk);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        fields.push(value);
        const c = i < n ? text.charCodeAt(i) : LF;
        if (c !== COMMA && c !== LF && c !== CR) return invalid(recordLine, 'text after a closing quote').error;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) return invalid(recordLine, 'a quote inside an unquoted field (quote the whole field and double the quote)').error;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      // After a field: a comma (another field follows), or the end of the record.
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      const end = text.charCodeAt(i); // NaN at the end of the text
      if (end === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      else if (end === LF) i++;
      line++;
      break;
    }
    // Spreadsheets leave whitespace-only lines behind; they are blank, not a voter with no address.
    const blank = fields.length === 1 && (fields[0] as string).trim() === '';
    if (!blank) {
      const err = onRecord({ fields, line: recordLine });
      if (err) return err;
    }
  }
  return undefined;
}

/** Line breaks inside a quoted field, counting CRLF once. */
function countLineBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

export function parseVoterCsv(text: string): VoterCsvResult {
  let emailColumn = -1;
  let width = 0;
  let headerSeen = false;
  const rows: VoterCsvRow[] = [];
  const error = scanRecords(text, ({ fields, line }) => {
    if (!headerSeen) {
      headerSeen = true;
      const names = fields.map((f) => f.trim().toLowerCase());
      emailColumn = names.indexOf('email');
      if (emailColumn < 0) return invalid(line, 'the header row has no "email" column').error;
      if (names.indexOf('email', emailColumn + 1) >= 0) return invalid(line, 'the header row has more than one "email" column').error;
      width = fields.length;
      return undefined;
    }
    if (fields.length !== width) return invalid(line, `expected ${width} fields, found ${fields.length}`).error;
    rows.push({ email: fields[emailColumn] as string, line });
    return undefined;
  });
  if (error) return { ok: false, error };
  if (!headerSeen) return invalid(1, 'missing header row with an "email" column');
  return { ok: true, rows };
}
