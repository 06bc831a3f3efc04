/**
 * Voter imports in chunks (src/client/voter-import.ts): the whole file is checked first with the
 * server's rules, every chunk fits the default 64 KiB frame, and refusals name lines of the file.
 * The integration half runs EvoteAdmin against the real stack (PostgreSQL, Redis) at the default
 * frame limit, which a single 100 KiB import frame exceeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteAdmin } from '../../src/client/admin.ts';
import { IMPORT_CHUNK_CHARS, planVoterImport } from '../../src/client/voter-import.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/gateway/input-bounds.ts';
import { RawClient } from '../support/raw-ws.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

const envelopeBytes = (electionId: string, csv: string) =>
  Buffer.byteLength(JSON.stringify({ id: 'c-123456', kind: 'command', name: 'election.importVoters', token: 'x'.repeat(64), payload: { electionId, csv, batchSize: 10_000 } }));

describe('planVoterImport', () => {
  it('keeps the weight column, checked per line, and sends it with each address', () => {
    const plan = planVoterImport('name,email,weight\nA,A@Example.org,3\nB,b@example.org,1\n');
    expect(plan).toEqual({ ok: true, total: 2, chunks: [{ csv: 'email,weight\na@example.org,3\nb@example.org,1\n', lines: [2, 3] }] });
    expect(planVoterImport('email,weight\na@example.org,1\nb@example.org,1.5\n')).toMatchObject({ ok: false, error: { code: 'INVALID_WEIGHT', details: { line: 3 } } });
  });

  it('splits at row boundaries into chunks whose frames fit 64 KiB, remembering each row’s line', () => {
    const plan = planVoterImport(voterCsv(20_000));
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.total).toBe(20_000);
    expect(plan.chunks.length).toBeGreaterThan(5);
    for (const chunk of plan.chunks) {
      expect(chunk.csv.length).toBeLessThanOrEqual(IMPORT_CHUNK_CHARS + 10);
      expect(envelopeBytes('e'.repeat(64), chunk.csv)).toBeLessThan(DEFAULT_MAX_FRAME_BYTES);
    }
    expect(plan.chunks.flatMap((c) => c.lines)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 2));
    expect(plan.chunks[1]!.csv.split('\n')[1]).toBe(`voter${plan.chunks[0]!.lines.length}@example.org`);
  });

  it('refuses the whole file for a bad row, naming the file’s line, quoted line breaks counted', () => {
    expect(planVoterImport('name,email\n"two\nlines",a@example.org\nb,nope\n')).toMatchObject({ ok: false, error: { code: 'INVALID_EMAIL', details: { line: 4 } } });
    expect(planVoterImport('name,email\na,"unterminated\n')).toMatchObject({ ok: false, error: { code: 'INVALID_CSV', details: { line: 2 } } });
    expect(planVoterImport('name\nx\n')).toMatchObject({ ok: false, error: { code: 'INVALID_CSV', details: { line: 1 } } });
  });

  it('finds a duplicate even when the two rows would travel in different chunks', () => {
    const csv = voterCsv(5_000) + 'Again,VOTER3@Example.org\n';
    expect(planVoterImport(csv)).toMatchObject({ ok: false, error: { code: 'DUPLICATE_VOTER', details: { line: 5_002, firstLine: 5 } } });
  });

  it('sends one chunk for a header-only file', () => {
    expect(planVoterImport('email\n')).toMatchObject({ ok: true, total: 0, chunks: [{ csv: 'email\n', lines: [] }] });
  });
});

describe('EvoteAdmin.importVoters at the default frame limit', () => {
  let cluster: TestCluster;
  let admin: EvoteAdmin;
  let url: string;

  beforeAll(async () => {
    cluster = await startTestCluster({ config: { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES } });
    url = cluster.systems[0]!.gateway!.url;
    admin = await EvoteAdmin.connect(url, cluster.adminToken);
  });
  afterAll(async () => {
    await admin?.close();
    await cluster?.close();
  });

  it('imports 12,000 voters in chunks, with progress over the whole file; a re-run skips them all', async () => {
    const { electionId } = await admin.createElection({ theme: 'Chunked', choices: ['a', 'b'], expectedVoters: 20_000 });
    const progress: { done: number; total: number }[] = [];
    const r = await admin.importVoters({ electionId, csv: voterCsv(12_000) }, (p) => progress.push(p));
    expect(r).toMatchObject({ imported: 12_000, skipped: 0 });
    expect(progress.at(-1)).toMatchObject({ done: 12_000, total: 12_000 });
    expect(progress.every((p) => p.total === 12_000)).toBe(true);
    expect(await admin.countVoters(electionId)).toBe(12_000);
    expect(await admin.importVoters({ electionId, csv: voterCsv(12_000) })).toMatchObject({ imported: 0, skipped: 12_000 });
  });

  it('restates a later chunk’s refusal for the file: its line and the voters imported before it', async () => {
    const { electionId } = await admin.createElection({ theme: 'Too many', choices: ['a', 'b'], expectedVoters: 3_000 });
    const err = await admin.importVoters({ electionId, csv: voterCsv(5_000) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TOO_MANY_VOTERS', details: { line: 3_002, expectedVoters: 3_000 } });
    const imported = (err as { details: { imported: number } }).details.imported;
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(3_000);
    expect(await admin.countVoters(electionId)).toBe(imported);
  });

  it('refuses a duplicate before registering anyone', async () => {
    const { electionId } = await admin.createElection({ theme: 'Dup', choices: ['a', 'b'], expectedVoters: 10_000 });
    const err = await admin.importVoters({ electionId, csv: voterCsv(5_000) + 'Again,voter1@example.org\n' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DUPLICATE_VOTER', details: { line: 5_002, firstLine: 3 } });
    expect(await admin.countVoters(electionId)).toBe(0);
  });

  it('answers FRAME_TOO_LARGE to an import sent as one 100 KiB frame: the admin gets no larger limit', async () => {
    const { electionId } = await admin.createElection({ theme: 'One frame', choices: ['a', 'b'], expectedVoters: 10_000 });
    const c = await RawClient.connect(url);
    const csv = voterCsv(5_000);
    expect(csv.length).toBeGreaterThan(100 * 1024);
    c.send(JSON.stringify({ id: 'big', kind: 'command', name: 'election.importVoters', token: cluster.adminToken, payload: { electionId, csv } }));
    const reply = await c.next((r) => r.id === null);
    expect(reply.error).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES } });
    c.close();
  });
});
