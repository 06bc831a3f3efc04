/**
 * The auditor end to end on real PostgreSQL: an election written with the real crypto, the
 * transparency-log projection and the checkpointer signing it, the NDJSON export, and the verifier
 * over the file and over the store; then every tamper of the list, each caught with the
 * offending event named and a non-zero exit code, among them spends and ballots that do not add up.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import type { KeyStore } from '../../src/keystore/port.ts';
import { createProjectionRunner, type ProjectionRunner } from '../../src/projections/runner.ts';
import { transparencyLogProjection } from '../../src/projections/transparency-log-projection.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { createCheckpointer, type Checkpointer } from '../../src/audit/checkpointer.ts';
import { exportLog } from '../../src/audit/export.ts';
import { verifyFromStore, verifyLog } from '../../src/audit/verify.ts';
import { runAuditCommand } from '../../src/audit/audit-command.ts';
import { entryLeafHash } from '../../src/domain/log-entry.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { writeElection, type Fixture } from './election-fixture.ts';
import { resign } from './signed-election.ts';

let db: { url: string; drop: () => Promise<void> };
let sql: SqlClient;
let store: EventStore;
let keyStore: KeyStore;
let runner: ProjectionRunner;
let checkpointer: Checkpointer;
let dir: string;

async function settle(electionId: string): Promise<void> {
  await runner.waitFor(await store.headPosition(), 30_000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    await runner.waitFor(await store.headPosition(), 30_000);
    const { rows } = await sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [electionId]);
    if (rows[0] && rows[0].size === rows[0].checkpoint_size) return;
    if (Date.now() > deadline) throw new Error('the log was not checkpointed');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exportToFile(electionId: string): Promise<string> {
  const file = path.join(dir, `${electionId}.ndjson`);
  const out = createWriteStream(file);
  await exportLog(store, electionId, out);
  out.end();
  await finished(out);
  return file;
}

type Line = Record<string, unknown> & { type?: string; position?: number; streamId?: string; data?: Record<string, unknown> };
const parse = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Line);
const serialize = (lines: Line[]) => lines.map((l) => JSON.stringify(l));
/** What a forger with write access to the file can do: recompute the leaf hash of an edited event. */
const rehash = (l: Line) => {
  l.leafHash = Buffer.from(entryLeafHash(l as never)).toString('hex');
  return l;
};

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url);
  store = await createSqlEventStore(sql);
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  runner = createProjectionRunner({ store, sql, projections: [transparencyLogProjection()], log: silentLogger });
  await runner.start();
  checkpointer = createCheckpointer({ sql, store, keyStore, log: silentLogger, now: () => new Date(), everyEvents: 100, everyMs: 60_000, pollMs: 50 });
  checkpointer.start();
  dir = await mkdtemp(path.join(tmpdir(), 'evote-audit-'));
});

afterAll(async () => {
  await checkpointer?.stop();
  await runner?.stop();
  await sql?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a 1,000-voter election', () => {
  let fixture: Fixture;
  let file: string;

  beforeAll(async () => {
    fixture = await writeElection(store, keyStore, { voters: 1000, voting: 990 });
    await settle(fixture.electionId);
    file = await exportToFile(fixture.electionId);
  }, 120_000);

  it('is checkpointed at every state transition and at its end, each checkpoint right after its last leaf', async () => {
    const lines = parse(await readFile(file, 'utf8'));
    const events = lines.filter((l) => 'leafIndex' in l);
    const sizes: number[] = [];
    lines.forEach((l, i) => {
      if (l.type !== 'LogCheckpointed') return;
      sizes.push(l.data!.size as number);
      expect((lines[i - 1]!.leafIndex as number) + 1).toBe(l.data!.size);
    });
    expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
    for (const t of ['ElectionCreated', 'VotingStarted', 'VotingEnded', 'TallyPublished']) {
      const leaf = events.find((e) => e.type === t)!;
      expect(sizes).toContain((leaf.leafIndex as number) + 1);
    }
    expect(sizes[sizes.length - 1]).toBe(events.length);
  });

  it('audits clean from the exported file, with the published tally recomputed', async () => {
    const out: string[] = [];
    const { exitCode, report } = await runAuditCommand({ from: file, out: { write: (s: string) => out.push(s) } as never });
    expect(report.failures).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.ballotsCounted).toBe(994);
    expect(report.lateBallots).toBe(1);
    expect(report.credentialsSpent).toBe(994);
    expect(report.warnings).toContain('1 credential(s) spent after VotingEnded (in log order) authorise no counted ballot');
    expect(report.counts).toEqual(fixture.counts);
    expect(report.statuses).toEqual(fixture.statuses);
    expect(report.statuses.VALID).toBe(990);
    expect(out.join('')).toContain('AUDIT PASSED');
    console.log(`audit of ${report.events} events / ${report.ballotsCounted} ballots: ${report.durationMs} ms (${Math.round(report.ballotsPerSecond)} ballots/s)`);
  }, 60_000);

  it('rebuilds the transparency log from zero to the same trees, leaves and checkpoints', async () => {
    const snapshot = async () => ({
      trees: (await sql.query('SELECT election_id, size, root, frontier, last_position, checkpoint_size, checkpoint_revision FROM log_trees ORDER BY election_id')).rows,
      leaves: (await sql.query("SELECT count(*)::int AS n, string_agg(encode(hash, 'hex'), '' ORDER BY election_id, idx) AS h FROM log_leaves")).rows,
      checkpoints: (await sql.query('SELECT election_id, revision, size, root FROM log_checkpoints ORDER BY election_id, revision')).rows,
    });
    await checkpointer.stop();
    try {
      const before = await snapshot();
      await runner.rebuild('transparency-log');
      await runner.waitFor(await store.headPosition(), 30_000);
      expect(await snapshot()).toEqual(before);
    } finally {
      checkpointer.start();
    }
  }, 60_000);

  it('audits clean through the command from a PostgreSQL URL (the store read by the command itself)', async () => {
    const out: string[] = [];
    const { exitCode, report } = await runAuditCommand({ from: db.url, electionId: fixture.electionId, out: { write: (s: string) => out.push(s) } as never });
    expect(report.failures).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.counts).toEqual(fixture.counts);
    expect(out.join('')).toContain('AUDIT PASSED');
  }, 60_000);

  it('audits clean from the store, with progress reported', async () => {
    const progress: number[] = [];
    const report = await verifyFromStore(store, fixture.electionId, { onProgress: (p) => progress.push(p.ballotsChecked) });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.ballotsCounted).toBe(994);
    expect(progress[progress.length - 1]).toBe(994);
  }, 60_000);
});

describe('checkpoint triggers', () => {
  it('checkpoints every N leaves, not before, and two racing processes append one checkpoint', async () => {
    const electionId = `cp-${randomBytes(4).toString('hex')}`;
    const fixtureKeys = await writeElection(store, keyStore, { voters: 6, voting: 1, until: 'started' });
    void fixtureKeys;
    // A plain election stream driven by hand: created (a transition), then voters in chunks of 50.
    const { generateKeyPairSync } = await import('node:crypto');
    const { rawLogPublicKey, logKeyName } = await import('../../src/audit/checkpoint.ts');
    const { generateRsaKeyPair } = await import('../../src/crypto/rsa.ts');
    const log = generateKeyPairSync('ed25519');
    await keyStore.put(logKeyName(electionId), new Uint8Array(log.privateKey.export({ format: 'der', type: 'pkcs8' })));
    const spki = generateRsaKeyPair(2048).publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
    await store.append(`election-${electionId}`, [{ type: 'ElectionCreated', data: {
      electionId, theme: 't', choices: ['a', 'b'], expectedVoters: 1000, createdAt: new Date().toISOString(),
      authorityPublicKey: spki, ballotPublicKey: spki, logPublicKey: rawLogPublicKey(log.publicKey) } }], { expectedRevision: 'no_stream' });
    let revision = 0;
    const sizesNow = async () => (await store.readStream(`log-${electionId}`)).map((e) => (e.data as { size: number }).size);
    for (let chunk = 0; chunk < 5; chunk++) {
      const events = Array.from({ length: 50 }, (_, i) => ({ type: 'VoterRegistered', data: { electionId, voterId: `v${chunk}-${i}`, emailHmac: `${chunk}-${i}`, emailEncrypted: 'x', registeredAt: new Date().toISOString() } }));
      revision = (await store.append(`election-${electionId}`, events, { expectedRevision: revision })).nextExpectedRevision;
      // Let a pass of the checkpointer see this size (whatever the machine's load), then fold its result.
      await runner.waitFor(await store.headPosition(), 10_000);
      await checkpointer.tick();
      await runner.waitFor(await store.headPosition(), 10_000);
    }
    // Size 1 at ElectionCreated; then each time at least 100 leaves were uncovered; 251 is not yet due.
    expect(await sizesNow()).toEqual([1, 101, 201]);

    // Two more processes that consider the tail due at once: exactly one checkpoint is appended.
    const eager = () => createCheckpointer({ sql, store, keyStore, log: silentLogger, now: () => new Date(), everyEvents: 1, everyMs: 0 });
    const [a, b] = await Promise.all([eager().tick(), eager().tick()]);
    expect(await sizesNow()).toEqual([1, 101, 201, 251]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    const report = await verifyFromStore(store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.verifiedHead?.size).toBe(251);
  }, 60_000);
});

describe('tampering with an exported log', () => {
  let fixture: Fixture;
  let original: Line[];

  beforeAll(async () => {
    fixture = await writeElection(store, keyStore, { voters: 30, voting: 20 });
    await settle(fixture.electionId);
    original = parse(await readFile(await exportToFile(fixture.electionId), 'utf8'));
  }, 60_000);

  const copy = () => original.map((l) => structuredClone(l));
  /**
   * Audits twice: hashing the few leaves on the main thread (one partial batch, as for any log under
   * 1,024 events), and in batches of 4 on two workers, where leaf hashes and checkpoint roots come
   * back behind the reading. Both must name the same first failure.
   */
  const audit = async (lines: Line[]) => {
    const text = serialize(lines);
    const inline = await verifyLog(text, { workers: 1 });
    const batched = await verifyLog(text, { workers: 2, leafBatch: 4 });
    expect(batched.failures[0]).toEqual(inline.failures[0]);
    expect(batched.ok).toBe(inline.ok);
    expect(batched.checkpoints).toBe(inline.checkpoints);
    return inline;
  };
  const indexOf = (lines: Line[], pred: (l: Line) => boolean, nth = 0) => {
    const all = lines.flatMap((l, i) => (pred(l) ? [i] : []));
    const i = all[nth];
    if (i === undefined) throw new Error('no such line');
    return i;
  };
  const expectNamed = (report: Awaited<ReturnType<typeof audit>>, l: Line, check?: string) => {
    expect(report.ok).toBe(false);
    const first = report.failures[0]!;
    expect({ position: first.position, streamId: first.streamId, type: first.type }).toEqual({ position: l.position, streamId: l.streamId, type: l.type });
    if (check) expect(first.check).toBe(check);
  };

  it('the untampered copy audits clean', async () => {
    const report = await audit(copy());
    expect(report.failures).toEqual([]);
  });

  it.each(['ElectionCreated', 'VoterRegistered', 'VotingStarted', 'CredentialMinted', 'CredentialIssued', 'BlindSignatureIssued', 'BallotCast', 'CredentialSpent', 'VotingEnded', 'TallyStarted', 'VoteCounted', 'TallyPublished'])(
    'one byte flipped in a %s is caught at that event',
    async (type) => {
      const lines = copy();
      const i = indexOf(lines, (l) => l.type === type && 'leafIndex' in l);
      const text = JSON.stringify(lines[i]!.data);
      // Flip one byte of the payload (a letter or digit, so the JSON stays well formed).
      const at = [...text].findIndex((c, k) => k > text.length / 2 && /[a-z0-9]/i.test(c));
      const flipped = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
      expect(flipped).not.toBe(text);
      lines[i]!.data = JSON.parse(flipped) as Record<string, unknown>;
      const report = await audit(lines);
      expectNamed(report, lines[i]!, 'LEAF_HASH');
      expect(report.failures[0]!.leafIndex).toBe(lines[i]!.leafIndex);
    },
  );

  it('says when the counts include lines read past a failure found by a worker', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoterRegistered', 1);
    (lines[i]!.data as { voterId: string }).voterId += 'x';
    const text = serialize(lines);
    const batched = await verifyLog(text, { workers: 2, leafBatch: 4 });
    expect(batched.failures[0]!.check).toBe('LEAF_HASH');
    // Reading went on while the worker hashed: the counts say so, the events checked do not count them.
    expect(batched.warnings.some((w) => /^the voter and ballot counts include the \d+ line\(s\) read after line \d+/.test(w))).toBe(true);
    expect(batched.events).toBe(lines[i]!.leafIndex);
    const untampered = await verifyLog(serialize(copy()), { workers: 2, leafBatch: 4 });
    expect(untampered.warnings.some((w) => w.startsWith('the voter and ballot counts'))).toBe(false);
  });

  it('a flipped byte with a recomputed leaf hash breaks the next signed root', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoterRegistered', 3);
    (lines[i]!.data as { voterId: string }).voterId += 'x';
    rehash(lines[i]!);
    const report = await audit(lines);
    expect(report.ok).toBe(false);
    // Either the replay refuses the event itself, or the next checkpoint's root no longer matches.
    const first = report.failures[0]!;
    expect(first.position! >= (lines[i]!.position as number)).toBe(true);
    expect(['FOREIGN_EVENT', 'CHECKPOINT_ROOT']).toContain(first.check);
  });

  it('a removed ballot is caught at the event that follows it', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 5);
    lines.splice(i, 1);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'LEAF_INDEX');
  });

  it('a removed ballot with the leaf indexes renumbered is caught by its VoteCounted or the signed root', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 5);
    lines.splice(i, 1);
    let k = 0;
    for (const l of lines) if ('leafIndex' in l) l.leafIndex = k++;
    const report = await audit(lines);
    expect(report.ok).toBe(false);
    expect(['CHECKPOINT_SIZE', 'CHECKPOINT_ROOT', 'SPEND_MISMATCH']).toContain(report.failures[0]!.check);
  });

  it('a ballot on a credential stream (the old, linked form) is caught and named', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 2);
    const spent = lines[indexOf(lines, (l) => l.type === 'CredentialSpent', 2)]!;
    const forged = rehash({ ...structuredClone(lines[i]!), streamId: spent.streamId, revision: 1, data: { ...lines[i]!.data, hashN1: spent.data!.hashN1 } });
    lines.splice(i, 1, forged);
    const report = await audit(lines);
    expectNamed(report, forged, 'UNKNOWN_EVENT');
  });

  it('a BallotCast that names its credential is caught and named', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 2);
    const hashN1 = lines[indexOf(lines, (l) => l.type === 'CredentialSpent', 2)]!.data!.hashN1;
    lines[i]!.data = { ...lines[i]!.data, hashN1 };
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'BALLOT_LINKED');
  });

  const ended = (lines: Line[]) => lines[indexOf(lines, (l) => l.type === 'VotingEnded')]!;

  it('a BallotCast with no spend (a ballot never authorised) fails at VotingEnded, even re-signed', async () => {
    // Room for one more position: a server forging history would write it in place.
    const spaced = copy().map((l) => (typeof l.position === 'number' ? { ...l, position: l.position * 2 } : l));
    const end = indexOf(spaced, (l) => l.type === 'VotingEnded');
    const real = spaced[indexOf(spaced, (l) => l.type === 'BallotCast', 3)]!;
    const forged = { ...structuredClone(real), streamId: `ballot-${fixture.electionId}-${randomBytes(16).toString('hex')}`, position: (spaced[end]!.position as number) - 1 };
    spaced.splice(end, 0, forged);
    const lines = resign(spaced);
    const report = await audit(lines);
    expectNamed(report, ended(lines), 'SPEND_MISMATCH');
    expect(report.failures[0]!.message).toMatch(/25 BallotCast and 24 CredentialSpent: 1 ballot\(s\) no credential was spent for/);
  });

  it('a CredentialSpent with no ballot (a ballot dropped) fails at VotingEnded, even re-signed', async () => {
    const lines = resign(copy().filter((l, i, all) => i !== indexOf(all, (x) => x.type === 'BallotCast', 7)));
    const report = await audit(lines);
    expectNamed(report, ended(lines), 'SPEND_MISMATCH');
    expect(report.failures[0]!.message).toMatch(/23 BallotCast and 24 CredentialSpent: 1 credential\(s\) spent whose ballot is not in the log/);
  });

  it('a spend removed, re-signed, leaves a ballot without a spend at VotingEnded', async () => {
    const lines = resign(copy().filter((l, i, all) => i !== indexOf(all, (x) => x.type === 'CredentialSpent', 4)));
    const report = await audit(lines);
    expectNamed(report, ended(lines), 'SPEND_MISMATCH');
  });

  it('a CredentialSpent on a credential never minted is caught and named', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'CredentialSpent', 3);
    const hashN1 = randomBytes(32).toString('hex');
    Object.assign(lines[i]!, { streamId: `credential-${fixture.electionId}-${hashN1}`, revision: 0, data: { ...lines[i]!.data, hashN1 } });
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'UNMINTED_CREDENTIAL');
  });

  it('a second CredentialSpent on one credential is caught and named', async () => {
    const lines = copy();
    const first = lines[indexOf(lines, (l) => l.type === 'CredentialSpent', 1)]!;
    const i = indexOf(lines, (l) => l.type === 'CredentialSpent', 5);
    Object.assign(lines[i]!, { streamId: first.streamId, revision: 2, data: { ...first.data } });
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'CREDENTIAL_SPENT_TWICE');
  });

  it('two events reordered are caught at the first of them', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 3);
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    const report = await audit(lines);
    expectNamed(report, lines[i]!);
  });

  it('a VoteCounted status changed is caught at that VoteCounted (even with its leaf hash recomputed)', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoteCounted' && l.data!.status === 'VALID', 4);
    lines[i]!.data!.status = 'INVALID_CHOICE';
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'VOTE_STATUS');
  });

  it('a reason added to an INVALID_CHOICE of an election without a ballot form is caught at that VoteCounted', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoteCounted' && l.data!.status === 'INVALID_CHOICE');
    lines[i]!.data!.reason = 'NOT_A_CANDIDATE';
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'VOTE_REASON');
  });

  it('a VoteCounted choice changed is caught at that VoteCounted', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoteCounted' && l.data!.choice === 'yes', 2);
    lines[i]!.data!.choice = 'no';
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'VOTE_CHOICE');
  });

  it('the published tally changed is caught at TallyPublished', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'TallyPublished');
    const counts = lines[i]!.data!.counts as Record<string, number>;
    counts.yes! += 1;
    counts.no! -= 1;
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'TALLY_MISMATCH');
  });

  it('a checkpoint signature replaced is caught at that checkpoint', async () => {
    const lines = copy();
    const a = indexOf(lines, (l) => l.type === 'LogCheckpointed', 1);
    const b = indexOf(lines, (l) => l.type === 'LogCheckpointed', 2);
    lines[a]!.data!.signature = lines[b]!.data!.signature;
    const report = await audit(lines);
    expectNamed(report, lines[a]!, 'CHECKPOINT_SIGNATURE');
  });

  it('a VoteCounted with a wrong r is caught at that VoteCounted', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'VoteCounted', 1);
    const j = indexOf(lines, (l) => l.type === 'VoteCounted', 2);
    lines[i]!.data!.revealedR = lines[j]!.data!.revealedR;
    rehash(lines[i]!);
    const report = await audit(lines);
    expectNamed(report, lines[i]!, 'REVEALED_R');
  });

  it('the audit command exits non-zero on a tampered file and names the event', async () => {
    const lines = copy();
    const i = indexOf(lines, (l) => l.type === 'BallotCast', 1);
    (lines[i]!.data as { ciphertext: string }).ciphertext = 'B' + (lines[i]!.data as { ciphertext: string }).ciphertext.slice(1);
    const file = path.join(dir, 'tampered.ndjson');
    await writeFile(file, serialize(lines).join('\n') + '\n');
    const out: string[] = [];
    const { exitCode } = await runAuditCommand({ from: file, out: { write: (s: string) => out.push(s) } as never });
    expect(exitCode).toBe(EXIT.AUDIT_FAILED);
    expect(out.join('')).toContain(`FIRST FAILURE at position ${lines[i]!.position} (${lines[i]!.streamId}, BallotCast`);
  });
});
