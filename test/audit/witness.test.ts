/**
 * Witnesses through real processes: the server composition with its gateway on an ephemeral port,
 * and `evote witness` / `evote log export` / `evote audit` spawned as the real CLI. Two witnesses
 * follow a live election and co-sign its checkpoints; the audit with both required passes. A fork
 * re-signed with the election's own log key is refused by a witness that saw the real history and
 * fails the audit; so does a log whose tail was cut.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { runEvote, type CliRun } from '../support/run-cli.ts';
import { writeElection } from './election-fixture.ts';
import { resign, serialize, type Line } from './signed-election.ts';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { logKeyName, logPrivateKeyFromPkcs8 } from '../../src/audit/checkpoint.ts';
import type { Cosignature } from '../../src/audit/cosignature.ts';
import type { AuditReport } from '../../src/audit/report.ts';
import { electionFingerprint } from '../../src/crypto/election-fingerprint.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';

let cluster: TestCluster;
let dir: string;
let url: string;
const electionId = `wit-${randomBytes(5).toString('hex')}`;
let real: Line[];
const evote = (args: string[]) => runEvote(['--url', url, ...args], {});
const file = (name: string) => path.join(dir, name);
const keyOf = (w: string) => [file(`${w}.key`), file(`${w}.key.pub`)] as const;
const errorLine = (run: CliRun) => run.stderr.split('\n').find((l) => l.startsWith('evote:')) ?? '';

async function auditLines(lines: Line[], name: string, ...args: string[]): Promise<{ run: CliRun; report: AuditReport }> {
  await writeFile(file(name), serialize(lines).join('\n') + '\n');
  const run = await runEvote(['--json', 'audit', '--from', file(name), ...args], {});
  return { run, report: JSON.parse(run.stdout) as AuditReport };
}
/** A copy: the tests edit what they forge. */
const withoutCosignatures = () => real.filter((l) => l.type !== 'CheckpointCosigned').map((l) => structuredClone(l));
const both = () => ['--witness', keyOf('a')[1], '--witness', keyOf('b')[1], '--min-witnesses', '2'];

beforeAll(async () => {
  process.env.EVOTE_LOG_CHECKPOINT_EVENTS = '40';
  process.env.EVOTE_LOG_CHECKPOINT_SECONDS = '0.2';
  dir = await mkdtemp(path.join(os.tmpdir(), 'evote-witness-'));
  cluster = await startTestCluster({ processes: 1 });
  url = cluster.systems[0]!.gateway!.url;
  const keygens = await Promise.all(['a', 'b', 'c'].map((w) => runEvote(['witness', 'keygen', '--out', keyOf(w)[0], '--name', `witness.test/${w}`], {})));
  for (const k of keygens) expect(k.code, k.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  delete process.env.EVOTE_LOG_CHECKPOINT_EVENTS;
  delete process.env.EVOTE_LOG_CHECKPOINT_SECONDS;
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('evote witness', () => {
  it('two witnesses co-sign a live election; the audit requiring both passes', async () => {
    const system = cluster.systems[0]!;
    const writing = writeElection(system.store, system.keyStore, { voters: 120, voting: 90, electionId });
    await until(async () => (await system.store.readStream(`election-${electionId}`, { limit: 1 })).length > 0, 30_000, 'ElectionCreated');
    const witness = (w: string) => evote(['--json', 'witness', 'run', '--key', keyOf(w)[0], '--state', file(`${w}.state`), '--election', electionId, '--until-tally']);
    const [a, b] = await Promise.all([witness('a'), witness('b'), writing]);
    for (const run of [a, b]) expect({ code: run.code, err: errorLine(run) }).toEqual({ code: 0, err: '' });
    const cosigned = (run: CliRun) => run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Cosignature);
    expect(cosigned(a).length).toBeGreaterThan(2);

    const exported = await evote(['log', 'export', electionId, '--out', file('real.ndjson')]);
    expect(exported.code, exported.stderr).toBe(0);
    real = (await readFile(file('real.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Line);
    const finalSize = (real.filter((l) => l.type === 'LogCheckpointed').at(-1)!.data as { size: number }).size;
    expect(real.filter((l) => 'leafIndex' in l).length).toBe(finalSize);
    expect(cosigned(a).at(-1)!.size).toBe(finalSize);
    // Both witnesses' co-signatures of the final checkpoint are in the export, after everything else.
    const cosigLines = real.filter((l) => l.type === 'CheckpointCosigned');
    expect(real.slice(-cosigLines.length).every((l) => l.type === 'CheckpointCosigned')).toBe(true);
    expect(new Set(cosigLines.filter((l) => (l.data as { size: number }).size === finalSize).map((l) => (l.data as { name: string }).name))).toEqual(new Set(['witness.test/a', 'witness.test/b']));

    const passed = await runEvote(['audit', '--from', file('real.ndjson'), ...both()], {});
    expect({ code: passed.code, err: errorLine(passed) }).toEqual({ code: 0, err: '' });
    expect(passed.stdout).toContain('AUDIT PASSED');
    expect(passed.stdout).toContain('witnesses: 2 of 2 required co-signed the final checkpoint');
    // A trusted witness's co-signature altered in the file.
    const altered = real.map((l) => structuredClone(l));
    const victim = altered.filter((l) => l.type === 'CheckpointCosigned').at(-1)!;
    (victim.data as { time: number }).time += 1;
    const tampered = await auditLines(altered, 'real-tampered.ndjson', ...both());
    expect(tampered.report.failures.map((f) => f.check)).toContain('WITNESS_COSIGNATURE');
    // An audit trusting a witness that never co-signed fails, naming it.
    const third = await auditLines(real, 'real-c.ndjson', '--witness', keyOf('a')[1], '--witness', keyOf('c')[1], '--min-witnesses', '2');
    expect(third.run.code).toBe(5);
    expect(third.report.failures[0]).toMatchObject({ check: 'WITNESS_QUORUM' });
    expect(third.report.failures[0]!.message).toContain('witness.test/c');

    // The board serves each witness's latest co-signature.
    const conn = await EvoteConnection.connect(url);
    try {
      const board = await conn.request<{ cosignatures: Cosignature[] }>('query', 'witness.cosignatures', { electionId });
      expect(board.cosignatures.map((c) => [c.name, c.size]).sort()).toEqual([['witness.test/a', finalSize], ['witness.test/b', finalSize]]);
    } finally {
      await conn.close();
    }
  }, 240_000);

  it('the server refuses a co-signature that does not verify, or of a checkpoint it never signed', async () => {
    const conn = await EvoteConnection.connect(url);
    try {
      const good = real.find((l) => l.type === 'CheckpointCosigned')!.data as unknown as Cosignature;
      const code = (p: unknown) => conn.request('command', 'witness.cosign', p).then(() => 'OK', (e: EvoteError) => e.code);
      expect(await code(good)).toBe('OK'); // a duplicate: answered, not stored twice
      expect(await code({ ...good, time: good.time + 1 })).toBe('INVALID_COSIGNATURE');
      expect(await code({ ...good, root: 'ab'.repeat(32) })).toBe('INVALID_COSIGNATURE');
      expect(await code({ ...good, signature: 'x' })).toBe('INVALID_PAYLOAD');
      const cosigs = (await conn.request<{ cosignatures: Cosignature[] }>('query', 'witness.cosignatures', { electionId, size: good.size })).cosignatures;
      expect(cosigs.filter((c) => c.publicKey === good.publicKey)).toHaveLength(1);
    } finally {
      await conn.close();
    }
    // A validly co-signed head the server never signed.
    const forkedFile = file('never-signed.ndjson');
    const lines = withoutCosignatures();
    const voter = lines.findIndex((l) => l.type === 'VoterRegistered');
    (lines[voter]!.data as Record<string, unknown>).emailEncrypted = randomBytes(40).toString('base64url');
    const logKey = logPrivateKeyFromPkcs8((await cluster.systems[0]!.keyStore.get(logKeyName(electionId)))!);
    await writeFile(forkedFile, serialize(resign(lines, logKey)).join('\n') + '\n');
    const submitted = await evote(['witness', 'run', '--key', keyOf('c')[0], '--state', file('c-submit.state'), '--from', forkedFile, '--submit']);
    expect(submitted.code).toBe(1);
    expect(errorLine(submitted)).toContain('UNKNOWN_CHECKPOINT');
  }, 120_000);

  it('a forked history, re-signed with the log key: the witness that saw the real one refuses, and the audit fails', async () => {
    const logKey = logPrivateKeyFromPkcs8((await cluster.systems[0]!.keyStore.get(logKeyName(electionId)))!);
    const lines = withoutCosignatures();
    const voter = lines.findIndex((l) => l.type === 'VoterRegistered');
    (lines[voter]!.data as Record<string, unknown>).emailEncrypted = randomBytes(40).toString('base64url');
    const forked = resign(lines, logKey);
    await writeFile(file('forked.ndjson'), serialize(forked).join('\n') + '\n');
    // The fork is a valid election on its own: only the witnesses tell.
    const alone = await auditLines(forked, 'forked-alone.ndjson');
    expect(alone.report.verdict).toBe('PASSED');

    const stateBefore = await readFile(file('b.state'), 'utf8');
    const b = await evote(['witness', 'run', '--key', keyOf('b')[0], '--state', file('b.state'), '--from', file('forked.ndjson')]);
    expect(b.code).toBe(7);
    expect(errorLine(b)).toMatch(/\[CHECKPOINT_(INCONSISTENT|FORK)\]/);
    expect(await readFile(file('b.state'), 'utf8')).toBe(stateBefore);

    // A witness that never saw the real history co-signs the fork: one is not enough.
    const c = await evote(['witness', 'run', '--key', keyOf('c')[0], '--state', file('c.state'), '--from', file('forked.ndjson'), '--out', file('c.cosig')]);
    expect(c.code, c.stderr).toBe(0);
    const cLines = (await readFile(file('c.cosig'), 'utf8')).trim().split('\n').map((t, i) => ({ position: 1e9 + i, streamId: `witness-${electionId}`, revision: i, type: 'CheckpointCosigned', data: JSON.parse(t) }) as Line);
    const withC = await auditLines([...forked, ...cLines], 'forked-c.ndjson', ...both(), '--witness', keyOf('c')[1]);
    expect(withC.run.code).toBe(5);
    expect(withC.report.failures.map((f) => f.check)).toEqual(['WITNESS_QUORUM']);
    expect(withC.report.witnesses).toEqual({ required: 2, cosignedFinal: ['witness.test/c'] });

    // The fork shown with the real co-signatures: they sign other roots (a split view).
    const realCosigs = real.filter((l) => l.type === 'CheckpointCosigned');
    const split = await auditLines([...forked, ...realCosigs], 'forked-split.ndjson', ...both());
    expect(split.run.code).toBe(5);
    expect(split.report.failures[0]).toMatchObject({ check: 'WITNESS_SPLIT_VIEW' });
  }, 120_000);

  it('a cut tail: the witness refuses it as a rollback, and the audit requiring both witnesses fails', async () => {
    const events = real.filter((l) => l.type !== 'CheckpointCosigned');
    const checkpoints = events.flatMap((l, i) => (l.type === 'LogCheckpointed' ? [i] : []));
    const cutAt = checkpoints[Math.floor(checkpoints.length / 2)]!;
    const kept = events.slice(0, cutAt + 1);
    const cutSize = (events[cutAt]!.data as { size: number }).size;
    // The server shows only the co-signatures of what it kept: the earlier checkpoint has both.
    const keptCosigs = real.filter((l) => l.type === 'CheckpointCosigned' && (l.data as { size: number }).size <= cutSize);
    expect(keptCosigs.some((l) => (l.data as { size: number }).size === cutSize)).toBe(true);

    const cut = await auditLines([...kept, ...keptCosigs], 'cut.ndjson', ...both());
    expect(cut.run.code).toBe(5);
    expect(cut.report.failures.map((f) => f.check)).toEqual(['WITNESS_FINAL_CHECKPOINT']);
    const withoutWitnesses = await runEvote(['audit', '--from', file('cut.ndjson')], {});
    expect(withoutWitnesses.code).toBe(6);

    // Had it kept every co-signature, they name a larger log.
    const ahead = await auditLines([...kept, ...real.filter((l) => l.type === 'CheckpointCosigned')], 'cut-ahead.ndjson', ...both());
    expect(ahead.report.failures.map((f) => f.check)).toContain('WITNESS_AHEAD');

    const stateBefore = await readFile(file('a.state'), 'utf8');
    const a = await evote(['witness', 'run', '--key', keyOf('a')[0], '--state', file('a.state'), '--from', file('cut.ndjson')]);
    expect(a.code).toBe(7);
    expect(errorLine(a)).toContain('[CHECKPOINT_ROLLBACK]');
    expect(await readFile(file('a.state'), 'utf8')).toBe(stateBefore);
    const status = await evote(['--json', 'witness', 'status', '--state', file('a.state')]);
    expect((JSON.parse(status.stdout) as { size: number }[])[0]!.size).toBeGreaterThan(cutSize);
  }, 120_000);

  it('witnesses named at creation: pinned by the fingerprint (v2) in `witness run`, and the audit counts them by default', async () => {
    const system = cluster.systems[0]!;
    const named = `wit-named-${randomBytes(4).toString('hex')}`;
    const vkeys = await Promise.all(['a', 'b'].map(async (w) => (await readFile(keyOf(w)[1], 'utf8')).trim()));
    const writing = writeElection(system.store, system.keyStore, { voters: 30, voting: 20, electionId: named, witnesses: vkeys });
    await until(async () => (await system.store.readStream(`election-${named}`, { limit: 1 })).length > 0, 30_000, 'ElectionCreated');
    const created = (await system.store.readStream(`election-${named}`, { limit: 1 }))[0]!.data as ElectionCreated['data'];
    expect(created.witnesses).toEqual([...vkeys].sort());
    const fp = electionFingerprint({ ...created, witnesses: created.witnesses! });
    const v1 = electionFingerprint({ ...created, witnesses: [] });
    if (!fp.ok || !v1.ok) throw new Error('no fingerprint');
    expect(fp.value).not.toBe(v1.value);

    // Pinned to the keys without the witnesses (v1): refused before co-signing anything, no state written.
    const wrong = await evote(['witness', 'run', '--key', keyOf('c')[0], '--state', file('c-named.state'), '--election', named, '--fingerprint', v1.value]);
    expect(wrong.code).toBe(7);
    expect(errorLine(wrong)).toContain('[ELECTION_FINGERPRINT]');
    const run = (w: string) => evote(['--json', 'witness', 'run', '--key', keyOf(w)[0], '--state', file(`${w}-named.state`), '--election', named, '--until-tally', '--fingerprint', fp.value]);
    const [a, b] = await Promise.all([run('a'), run('b'), writing]);
    for (const r of [a, b]) expect({ code: r.code, err: errorLine(r) }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(await readFile(file('a-named.state'), 'utf8')).logs[named].fingerprint).toBe(fp.value);

    const exported = await evote(['log', 'export', named, '--out', file('named.ndjson')]);
    expect(exported.code, exported.stderr).toBe(0);
    // No --witness: the election's named witnesses; and the v2 fingerprint pins them.
    const audited = await runEvote(['--json', 'audit', '--from', file('named.ndjson'), '--min-witnesses', '2', '--fingerprint', fp.value], {});
    expect({ code: audited.code, err: errorLine(audited) }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(audited.stdout)).toMatchObject({ verdict: 'PASSED', fingerprint: fp.value, witnesses: { required: 2 } });
    const oldFp = await runEvote(['--json', 'audit', '--from', file('named.ndjson'), '--fingerprint', v1.value], {});
    expect(oldFp.code).toBe(5);
    expect((JSON.parse(oldFp.stdout) as AuditReport).failures[0]).toMatchObject({ check: 'ELECTION_FINGERPRINT', type: 'ElectionCreated' });
    // The first election names none: --min-witnesses alone cannot be met.
    const none = await runEvote(['--json', 'audit', '--from', file('real.ndjson'), '--min-witnesses', '1'], {});
    expect(none.code).toBe(5);
    expect((JSON.parse(none.stdout) as AuditReport).failures.map((f) => f.check)).toContain('WITNESSES_NOT_NAMED');
  }, 240_000);

  it('`evote election create --witness` names them (vkey or key file): election.get serves them and the fingerprint printed is v2', async () => {
    const admin = (args: string[]) => runEvote(['--url', url, '--json', ...args], { EVOTE_ADMIN_TOKEN: cluster.adminToken });
    const made = await admin(['election', 'create', '--theme', 'Named', '--choice', 'x', '--choice', 'y', '--expected-voters', '3', '--witness', keyOf('b')[1], '--witness', keyOf('a')[0]]);
    expect(made.code, made.stderr).toBe(0);
    const { electionId: id, fingerprint } = JSON.parse(made.stdout) as { electionId: string; fingerprint: string };
    const vkeys = await Promise.all(['a', 'b'].map(async (w) => (await readFile(keyOf(w)[1], 'utf8')).trim()));
    const conn = await EvoteConnection.connect(url);
    try {
      const row = await conn.request<ElectionCreated['data'] & { witnesses: string[] }>('query', 'election.get', { electionId: id });
      expect(row.witnesses).toEqual([...vkeys].sort());
      const fp = electionFingerprint({ ...row, electionId: id, witnesses: row.witnesses });
      expect(fp.ok && fp.value).toBe(fingerprint);
      expect(fingerprint).not.toBe((electionFingerprint({ ...row, electionId: id, witnesses: [] }) as { value: string }).value);
    } finally {
      await conn.close();
    }
    const bad = await admin(['election', 'create', '--theme', 'Bad', '--choice', 'x', '--choice', 'y', '--expected-voters', '3', '--witness', 'not-a-vkey']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('FILE_UNREADABLE');
  }, 120_000);
});
