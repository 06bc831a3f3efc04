/**
 * `evote audit` on exported files, through the real binary (bin/evote.js): a complete log exits 0;
 * one cut short exits 6 (AUDIT_INCOMPLETE) naming where it stops, or 0 with `--live` (PARTIAL); a
 * forged ballot hash on an undecodable ciphertext and a history signed under another key (checked
 * with `--fingerprint`) exit 5 naming the event. The log is really signed (test/audit/signed-election.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvote, type CliRun } from '../support/run-cli.ts';
import { rehash, resign, serialize, signedElection, type Line, type SignedElection } from '../audit/signed-election.ts';

let signed: SignedElection;
let dir: string;

beforeAll(async () => {
  signed = await signedElection({ voters: 30, voting: 20 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'evote-audit-cli-'));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const copy = () => signed.lines.map((l) => structuredClone(l));
const indexOf = (lines: Line[], type: string, nth = 0) => lines.flatMap((l, i) => (l.type === type && 'leafIndex' in l ? [i] : []))[nth]!;
let files = 0;
async function auditFile(lines: Line[], ...args: string[]): Promise<CliRun> {
  const file = path.join(dir, `log-${files++}.ndjson`);
  await writeFile(file, serialize(lines).join('\n') + '\n');
  return runEvote(['audit', '--from', file, ...args], {});
}
/** The error line on stderr (progress lines aside). */
const errorLine = (run: CliRun) => run.stderr.trim().split('\n').filter((l) => l.startsWith('evote:'));

describe('evote audit verdicts and exit codes', () => {
  it('a complete log exits 0, with or without its fingerprint', async () => {
    const [plain, fp] = await Promise.all([auditFile(copy()), auditFile(copy(), '--fingerprint', '')]);
    expect({ code: plain.code, stderr: errorLine(plain) }).toEqual({ code: 0, stderr: [] });
    expect(plain.stdout).toMatch(/^election \S+: AUDIT PASSED\n {2}fingerprint ([0-9a-f]{4} ){15}[0-9a-f]{4}\n/);
    // An empty --fingerprint is a usage error, before any reading.
    expect({ code: fp.code, stderr: errorLine(fp) }).toEqual({ code: 2, stderr: ['evote: USAGE: --fingerprint must be 64 hex digits (spaces allowed)'] });
    const shown = /fingerprint ((?:[0-9a-f]{4} ?){16})/.exec(plain.stdout)![1]!.trim();
    const withFp = await auditFile(copy(), '--fingerprint', shown);
    expect(withFp.code).toBe(0);
  }, 60_000);

  it('a log cut right after the VotingEnded checkpoint exits 6 naming VotingEnded; --live exits 0 with PARTIAL', async () => {
    const ended = indexOf(signed.lines, 'VotingEnded');
    const cut = copy().slice(0, ended + 2);
    const [strict, live] = await Promise.all([auditFile(cut), auditFile(cut, '--live')]);
    expect(strict.code).toBe(6);
    expect(strict.stdout).toMatch(/AUDIT INCOMPLETE/);
    const v = signed.lines[ended]!;
    expect(errorLine(strict)).toEqual([
      expect.stringMatching(new RegExp(`^evote: AUDIT_INCOMPLETE: .*at position ${v.position} \\(VotingEnded in ${v.streamId}\\): \\[TALLY_NOT_PUBLISHED\\] .*tally never started`)),
    ]);
    expect({ code: live.code, stderr: errorLine(live) }).toEqual({ code: 0, stderr: [] });
    expect(live.stdout).toMatch(/AUDIT PARTIAL[\s\S]*not yet at position/);
  }, 60_000);

  it('a log cut before its last checkpoint exits 6 naming the first unsigned event', async () => {
    const last = signed.lines.length - 1;
    const previous = Math.max(...signed.lines.slice(0, last).flatMap((l, i) => (l.type === 'LogCheckpointed' ? [i] : [])));
    const run = await auditFile(copy().slice(0, last));
    const first = signed.lines[previous + 1]!;
    expect(run.code).toBe(6);
    expect(errorLine(run)).toEqual([expect.stringMatching(new RegExp(`^evote: AUDIT_INCOMPLETE: .*at position ${first.position} \\(${first.type} in ${first.streamId}\\): \\[UNSIGNED_TAIL\\]`))]);
  }, 60_000);

  it('a forged ballot hash on an undecodable ciphertext exits 5 naming that BallotCast', async () => {
    const lines = copy();
    const i = indexOf(lines, 'BallotCast', 1);
    const d = lines[i]!.data as { ciphertext: string; ballotHash: string };
    d.ciphertext = `${d.ciphertext.slice(0, 20)}!${d.ciphertext.slice(21)}`;
    d.ballotHash = (lines[indexOf(lines, 'BallotCast', 4)]!.data as { ballotHash: string }).ballotHash;
    rehash(lines[i]!);
    const run = await auditFile(lines);
    expect(run.code).toBe(5);
    expect(errorLine(run)).toEqual([expect.stringMatching(new RegExp(`^evote: AUDIT_FAILED: audit failed at position ${lines[i]!.position} \\(BallotCast in ${lines[i]!.streamId}\\): \\[BALLOT_CIPHERTEXT\\]`))]);
  }, 60_000);

  it('a history signed under another key passes alone and exits 5 at ElectionCreated against the real fingerprint', async () => {
    const real = await auditFile(copy());
    const fp = /fingerprint ((?:[0-9a-f]{4} ?){16})/.exec(real.stdout)![1]!.trim();
    const forged = resign(copy());
    const [alone, checked] = await Promise.all([auditFile(forged), auditFile(forged, '--fingerprint', fp.toUpperCase())]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).not.toContain(fp);
    const created = forged[indexOf(forged, 'ElectionCreated')]!;
    expect(checked.code).toBe(5);
    expect(errorLine(checked)).toEqual([
      expect.stringMatching(new RegExp(`^evote: AUDIT_FAILED: audit failed at position ${created.position} \\(ElectionCreated in ${created.streamId}\\): \\[ELECTION_FINGERPRINT\\]`)),
    ]);
  }, 60_000);
});
