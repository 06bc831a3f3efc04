/**
 * An auditor that cannot be cut short or split (issue 13), on a log really signed by the
 * checkpointer over PostgreSQL: a log cut at a line boundary is INCOMPLETE (PARTIAL when a live
 * audit asks for it), never PASSED; a ballot hash is always recomputed from its ciphertext; a
 * history signed under another key fails against the expected election fingerprint.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyLog, type VerifyOptions } from '../../src/audit/verify.ts';
import { runAuditCommand } from '../../src/audit/audit-command.ts';
import { formatReport, type AuditFailure } from '../../src/audit/report.ts';
import { electionFingerprint, formatFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { rehash, resign, serialize, signedElection, type Line, type SignedElection } from './signed-election.ts';

let signed: SignedElection;
let dir: string;

beforeAll(async () => {
  signed = await signedElection({ voters: 30, voting: 20 });
  dir = await mkdtemp(path.join(tmpdir(), 'evote-completeness-'));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const copy = () => signed.lines.map((l) => structuredClone(l));
const fingerprintOf = (lines: Line[]) => {
  const d = lines.find((l) => l.type === 'ElectionCreated')!.data as { electionId: string; authorityPublicKey: string; ballotPublicKey: string; logPublicKey: string };
  const fp = electionFingerprint(d);
  if (!fp.ok) throw new Error(fp.error.message);
  return fp.value;
};
/** Inline (one partial batch on the main thread) and in batches of 4 on two workers: the same verdict and first failure or gap. */
async function audit(lines: Line[], opts: VerifyOptions = {}) {
  const text = serialize(lines);
  const inline = await verifyLog(text, { ...opts, workers: 1 });
  const batched = await verifyLog(text, { ...opts, workers: 2, leafBatch: 4 });
  expect({ verdict: batched.verdict, failure: batched.failures[0], gaps: batched.gaps }).toEqual({ verdict: inline.verdict, failure: inline.failures[0], gaps: inline.gaps });
  return inline;
}
const ref = (x: AuditFailure | Line) => ({ position: x.position, streamId: x.streamId, type: x.type });
const indexesOf = (pred: (l: Line) => boolean) => signed.lines.flatMap((l, i) => (pred(l) ? [i] : []));
const checkpoints = () => indexesOf((l) => l.type === 'LogCheckpointed');

describe('a complete, honest log', () => {
  it('passes, and prints the fingerprint of its keys', async () => {
    const report = await audit(copy());
    expect(report.failures).toEqual([]);
    expect(report.gaps).toEqual([]);
    expect({ verdict: report.verdict, ok: report.ok }).toEqual({ verdict: 'PASSED', ok: true });
    expect(report.fingerprint).toBe(fingerprintOf(signed.lines));
    expect(formatReport(report)).toContain(`fingerprint ${formatFingerprint(report.fingerprint!)}`);
  });

  it('passes against its own fingerprint, however it is typed (groups, upper case), and live too', async () => {
    const typed = formatFingerprint(fingerprintOf(signed.lines)).toUpperCase();
    expect((await audit(copy(), { fingerprint: typed })).verdict).toBe('PASSED');
    expect((await audit(copy(), { live: true })).verdict).toBe('PASSED');
  });
});

describe('a log cut short at a line boundary', () => {
  it('right after each checkpoint but the last: INCOMPLETE, the tally not published, naming the last event', async () => {
    const all = checkpoints();
    expect(all.length).toBeGreaterThanOrEqual(4); // at least ElectionCreated, VotingStarted, VotingEnded and TallyPublished
    expect(all.at(-1)).toBe(signed.lines.length - 1);
    for (const k of all.slice(0, -1)) {
      const cut = copy().slice(0, k + 1);
      const report = await audit(cut);
      expect(report.failures).toEqual([]);
      expect({ k, verdict: report.verdict, ok: report.ok, gaps: report.gaps.map((g) => g.check) }).toEqual({ k, verdict: 'INCOMPLETE', ok: false, gaps: ['TALLY_NOT_PUBLISHED'] });
      expect(ref(report.gaps[0]!)).toEqual(ref(cut[k - 1]!));
      expect(report.verifiedHead?.size).toBe(cut[k]!.data!.size);
    }
  }, 60_000);

  it('right before each checkpoint: INCOMPLETE, naming the first event no checkpoint signs', async () => {
    const all = checkpoints();
    for (const [n, k] of all.entries()) {
      const cut = copy().slice(0, k);
      const report = await audit(cut);
      expect(report.failures).toEqual([]);
      expect(report.verdict).toBe('INCOMPLETE');
      const tail = report.gaps.find((g) => g.check === 'UNSIGNED_TAIL')!;
      expect(ref(tail)).toEqual(ref(signed.lines[n === 0 ? 1 : all[n - 1]! + 1]!));
      // Before the last checkpoint the whole election is there but its end is signed by nothing.
      if (k === all.at(-1)) expect(report.gaps.map((g) => g.check)).toEqual(['UNSIGNED_TAIL']);
    }
  }, 60_000);

  it('right after the VotingEnded checkpoint (ballots cast, none counted): INCOMPLETE, the tally never started', async () => {
    const ended = indexesOf((l) => l.type === 'VotingEnded')[0]!;
    expect(signed.lines[ended + 1]!.type).toBe('LogCheckpointed');
    const report = await audit(copy().slice(0, ended + 2));
    expect(report.ballotsCast).toBe(24);
    expect(report.credentialsSpent).toBe(24);
    expect(report.ballotsCounted).toBe(0);
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.gaps).toEqual([expect.objectContaining({ check: 'TALLY_NOT_PUBLISHED', message: expect.stringMatching(/voting ended but the tally never started/) as string })]);
    expect(ref(report.gaps[0]!)).toEqual(ref(signed.lines[ended]!));
    expect(formatReport(report)).toMatch(/AUDIT INCOMPLETE[\s\S]*MISSING at position \d+ \(election-[^,]+, VotingEnded/);
  });

  it('in the middle of the tally: INCOMPLETE, the count so far and the unsigned tail', async () => {
    const third = indexesOf((l) => l.type === 'VoteCounted')[2]!;
    const cut = copy().slice(0, third + 1);
    const report = await audit(cut);
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.gaps.map((g) => g.check)).toEqual(['TALLY_NOT_PUBLISHED', 'UNSIGNED_TAIL']);
    expect(report.gaps[0]!.message).toMatch(/3 of 24 ballot\(s\) counted, no TallyPublished/);
    expect(ref(report.gaps[0]!)).toEqual(ref(cut[third]!));
    expect(ref(report.gaps[1]!)).toEqual(ref(signed.lines[checkpoints().filter((k) => k < third).at(-1)! + 1]!));
  });

  it('a live audit asks for the partial verdict and reports what it verified', async () => {
    const ended = indexesOf((l) => l.type === 'VotingEnded')[0]!;
    const report = await audit(copy().slice(0, ended + 2), { live: true });
    expect({ verdict: report.verdict, ok: report.ok, failures: report.failures }).toEqual({ verdict: 'PARTIAL', ok: false, failures: [] });
    expect(report.verifiedHead?.size).toBe(signed.lines[ended]!.leafIndex! + 1);
    expect(formatReport(report)).toMatch(/AUDIT PARTIAL[\s\S]*not yet at position/);
    // A failure is still a failure when live.
    const tampered = copy().slice(0, ended + 2);
    const i = indexesOf((l) => l.type === 'BallotCast')[1]!;
    (tampered[i]!.data as { ballotHash: string }).ballotHash = 'ab'.repeat(32);
    expect((await audit(tampered, { live: true })).verdict).toBe('FAILED');
  });

  it('a header alone is INCOMPLETE, even live: there is no election to verify', async () => {
    for (const live of [false, true]) {
      const report = await audit(copy().slice(0, 1), { live });
      expect({ verdict: report.verdict, gaps: report.gaps.map((g) => g.check) }).toEqual({ verdict: 'INCOMPLETE', gaps: ['ELECTION_NOT_CREATED'] });
    }
  });

  it('the command exits 6 when incomplete, 0 when live, 5 when failed', async () => {
    const ended = indexesOf((l) => l.type === 'VotingEnded')[0]!;
    const file = path.join(dir, 'cut.ndjson');
    await writeFile(file, serialize(copy().slice(0, ended + 2)).join('\n') + '\n');
    const quiet = { write: () => true };
    expect((await runAuditCommand({ from: file, out: quiet })).exitCode).toBe(EXIT.AUDIT_INCOMPLETE);
    expect((await runAuditCommand({ from: file, out: quiet, live: true })).exitCode).toBe(EXIT.OK);
    expect(EXIT.AUDIT_INCOMPLETE).not.toBe(EXIT.AUDIT_FAILED);
    const whole = path.join(dir, 'whole.ndjson');
    await writeFile(whole, serialize(copy()).join('\n') + '\n');
    expect((await runAuditCommand({ from: whole, out: quiet, fingerprint: 'ab'.repeat(32) })).exitCode).toBe(EXIT.AUDIT_FAILED);
    expect((await runAuditCommand({ from: whole, out: quiet })).exitCode).toBe(EXIT.OK);
  });
});

describe('ballot hashes are recomputed, never trusted', () => {
  const undecodable: [string, (c: string) => string][] = [
    ['a character outside base64url', (c) => `${c.slice(0, 10)}+${c.slice(11)}`],
    ['a length of 4k+1', (c) => (c.length % 4 === 0 ? `${c}A` : `${c.slice(0, c.length - (c.length % 4))}A`)],
    ['non-zero bits after the last byte', (c) => `${(c.length % 4 === 0 ? c.slice(0, -1) : c).slice(0, -1)}B`],
  ];

  it.each(undecodable)('a BallotCast whose ciphertext has %s fails there, even carrying a real ballot\'s hash', async (_name, spoil) => {
    const lines = copy();
    const [i, j] = indexesOf((l) => l.type === 'BallotCast').slice(1, 3) as [number, number];
    const d = lines[i]!.data as { ciphertext: string; ballotHash: string };
    d.ciphertext = spoil(d.ciphertext);
    // The forgery: another (real, later) ballot's hash, so that the real one would look like a repeat.
    d.ballotHash = (lines[j]!.data as { ballotHash: string }).ballotHash;
    rehash(lines[i]!);
    const report = await audit(lines);
    expect(report.verdict).toBe('FAILED');
    expect(report.failures[0]!.check).toBe('BALLOT_CIPHERTEXT');
    expect(ref(report.failures[0]!)).toEqual(ref(lines[i]!));
  });

  it('the spoiled ciphertexts are indeed refused by the strict decoder', async () => {
    const { fromBase64url } = await import('../../src/crypto/bytes.ts');
    const c = (signed.lines.find((l) => l.type === 'BallotCast')!.data as { ciphertext: string }).ciphertext;
    expect(fromBase64url(c)).toBeDefined();
    for (const [name, spoil] of undecodable) expect({ name, decoded: fromBase64url(spoil(c)) }).toEqual({ name, decoded: undefined });
  });
});

describe('the election fingerprint', () => {
  /** Another history of the same election (the late cast left out), signed under a key the server made for it. */
  const otherHistory = () => {
    const ended = signed.lines.find((e) => e.type === 'VotingEnded')!.position!;
    return resign(copy().filter((l) => !((l.type === 'BallotCast' || l.type === 'CredentialSpent') && l.position! > ended)));
  };

  it('a history re-signed under another log key verifies on its own, and fails at ElectionCreated against the real fingerprint', async () => {
    const forged = otherHistory();
    const alone = await audit(forged);
    expect(alone.failures).toEqual([]);
    expect(alone.verdict).toBe('PASSED');
    expect(alone.lateBallots).toBe(0);
    expect(alone.fingerprint).not.toBe(fingerprintOf(signed.lines));

    const report = await audit(forged, { fingerprint: fingerprintOf(signed.lines) });
    expect(report.verdict).toBe('FAILED');
    expect(report.failures[0]!.check).toBe('ELECTION_FINGERPRINT');
    expect(ref(report.failures[0]!)).toEqual(ref(forged.find((l) => l.type === 'ElectionCreated')!));
    expect(report.checkpoints).toBe(0);
    // And the real history against the forged one's fingerprint.
    const real = await audit(copy(), { fingerprint: alone.fingerprint! });
    expect(real.failures[0]!.check).toBe('ELECTION_FINGERPRINT');
  });

  it('a malformed expected fingerprint is refused before reading', async () => {
    await expect(verifyLog(serialize(copy()), { fingerprint: 'abc' })).rejects.toThrow(RangeError);
  });
});
