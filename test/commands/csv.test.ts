import { describe, it, expect } from 'vitest';
import { parseVoterCsv, type VoterCsvResult } from '../../src/commands/csv.ts';

function rows(result: VoterCsvResult) {
  if (!result.ok) throw new Error(`expected rows, got ${result.error.code}: ${result.error.message}`);
  return result.rows;
}

function csvError(result: VoterCsvResult) {
  if (result.ok) throw new Error(`expected an error, got ${result.rows.length} rows`);
  expect(result.error.code).toBe('INVALID_CSV');
  return result.error;
}

describe('parseVoterCsv', () => {
  it('reads the email column with its line numbers', () => {
    expect(rows(parseVoterCsv('email\na@example.org\nb@example.org\n'))).toEqual([
      { email: 'a@example.org', line: 2 },
      { email: 'b@example.org', line: 3 },
    ]);
  });

  it('finds the email column in any position and case, ignoring the other columns', () => {
    const text = 'Name, E-Mail ,EMAIL,Dept\nJane,x,jane@example.org,R&D\nJoe,y,joe@example.org,Ops';
    expect(rows(parseVoterCsv(text))).toEqual([
      { email: 'jane@example.org', line: 2 },
      { email: 'joe@example.org', line: 3 },
    ]);
  });

  it('accepts CRLF, lone CR and a final line without a break', () => {
    expect(rows(parseVoterCsv('email\r\na@example.org\r\nb@example.org'))).toEqual([
      { email: 'a@example.org', line: 2 },
      { email: 'b@example.org', line: 3 },
    ]);
    expect(rows(parseVoterCsv('email\ra@example.org\rb@example.org\r'))).toEqual([
      { email: 'a@example.org', line: 2 },
      { email: 'b@example.org', line: 3 },
    ]);
  });

  it('drops a leading BOM', () => {
    expect(rows(parseVoterCsv('\uFEFFemail\r\na@example.org\r\n'))).toEqual([{ email: 'a@example.org', line: 2 }]);
  });

  it('skips blank and whitespace-only lines but keeps counting them', () => {
    const text = '\n\nname,email\n\nJane,jane@example.org\n   \r\n\r\nJoe,joe@example.org\n\n';
    expect(rows(parseVoterCsv(text))).toEqual([
      { email: 'jane@example.org', line: 5 },
      { email: 'joe@example.org', line: 8 },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'name,email,note\n"Doe, Jane",jane@example.org,"said ""hi""\nand left"\n"Joe",joe@example.org,""\n';
    expect(rows(parseVoterCsv(text))).toEqual([
      { email: 'jane@example.org', line: 2 },
      // The quoted note spans lines 2-3, so Joe's record starts on line 4.
      { email: 'joe@example.org', line: 4 },
    ]);
    expect(rows(parseVoterCsv('"EMAIL"\r\n"a""b@example.org"\r\n"x\r\ny"\r\nlast@example.org'))).toEqual([
      { email: 'a"b@example.org', line: 2 },
      { email: 'x\r\ny', line: 3 },
      { email: 'last@example.org', line: 5 },
    ]);
  });

  it('keeps cell content as is (trimming and validation are the decider’s)', () => {
    expect(rows(parseVoterCsv('email,x\n  A@Example.org ,1\n,2\n'))).toEqual([
      { email: '  A@Example.org ', line: 2 },
      { email: '', line: 3 },
    ]);
  });

  it('accepts a header-only file as zero rows', () => {
    expect(rows(parseVoterCsv('email\n'))).toEqual([]);
  });

  it.each([
    ['an empty file', '', 1],
    ['only blank lines', '\n\r\n  \n', 1],
    ['a header without an email column', 'name,mail\nJane,jane@example.org', 1],
    ['a header with two email columns', 'email,Email\na,b', 1],
    ['a header after blank lines without email', '\n\nname\nJane', 3],
  ])('refuses %s → INVALID_CSV', (_label, text, line) => {
    expect(csvError(parseVoterCsv(text)).details).toEqual({ line });
  });

  it('refuses a row with too few or too many fields, with its line', () => {
    expect(csvError(parseVoterCsv('name,email\nJane,jane@example.org\nJoe\n')).details).toEqual({ line: 3 });
    const err = csvError(parseVoterCsv('name,email\r\nJane,jane@example.org\r\n\r\nJoe,joe@example.org,extra\r\n'));
    expect(err.details).toEqual({ line: 4 });
    expect(err.message).toContain('line 4');
  });

  it('refuses an unterminated quote, at the line where the field started', () => {
    expect(csvError(parseVoterCsv('name,email\nJane,jane@example.org\n"Joe,joe@example.org\nmore\n')).details).toEqual({ line: 3 });
  });

  it('refuses stray quotes', () => {
    expect(csvError(parseVoterCsv('email\nja"ne@example.org\n')).details).toEqual({ line: 2 });
    expect(csvError(parseVoterCsv('email,n\n"jane@example.org"x,1\n')).details).toEqual({ line: 2 });
  });

  it('never echoes cell content in errors', () => {
    const err = csvError(parseVoterCsv('name,email\nsecret-person@example.org\n'));
    expect(JSON.stringify(err)).not.toContain('secret');
    // csv-parse's own messages quote the cell; they are not passed on.
    for (const text of ['email\nsecret"person@example.org\n', 'email,n\n"secret@example.org"x,1\n', 'email\n"secret@example.org\n']) {
      expect(JSON.stringify(csvError(parseVoterCsv(text)))).not.toContain('secret');
    }
  });

  it('counts a CRLF inside a quoted field once when naming a later line', () => {
    // csv-parse's own count would say line 6 here.
    const err = csvError(parseVoterCsv('email\n"x\r\ny"\nb\n"c"d\n'));
    expect(err.details).toEqual({ line: 5 });
    expect(err.message).toBe('line 5: text after a closing quote');
  });

  it('reports the first fault from the top, a bad row before a later quoting fault', () => {
    const err = csvError(parseVoterCsv('name,email\nJoe\nJane,"jane@example.org\n'));
    expect(err.details).toEqual({ line: 2 });
    expect(err.message).toBe('line 2: expected 2 fields, found 1');
  });

  it('parses 100,000 rows', () => {
    const lines = ['id,name,email,department'];
    for (let i = 0; i < 100_000; i++) lines.push(`${i},"Voter, number ${i}",voter${i}@example.org,Dept ${i % 17}`);
    const text = lines.join('\r\n') + '\r\n';
    const t = performance.now();
    const parsed = rows(parseVoterCsv(text));
    const ms = performance.now() - t;
    expect(parsed).toHaveLength(100_000);
    expect(parsed[99_999]).toEqual({ email: 'voter99999@example.org', line: 100_001 });
    console.log(`csv: 100,000 rows (${(text.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms`);
  });
});

describe('parseVoterCsv: the weight column', () => {
  it('gives each row its weight cell when the header has one, and none otherwise', () => {
    expect(parseVoterCsv('Weight,email\n3,a@example.org\n,b@example.org\n')).toEqual({ ok: true, rows: [{ email: 'a@example.org', weight: '3', line: 2 }, { email: 'b@example.org', weight: '', line: 3 }] });
    expect(parseVoterCsv('email\na@example.org\n')).toEqual({ ok: true, rows: [{ email: 'a@example.org', line: 2 }] });
    expect(parseVoterCsv('email,weight,weight\na@example.org,1,2\n')).toMatchObject({ ok: false, error: { code: 'INVALID_CSV', details: { line: 1 } } });
  });
});
