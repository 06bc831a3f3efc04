/**
 * The auditor through the real composition (bootstrap, real Postgres and Redis, the gateway on an
 * ephemeral port): the log is checkpointed by the audit feature, GET /elections/:id/log streams the
 * export, and the public proof queries answer receipts that verify client-side against the signed
 * checkpoint and the log key of ElectionCreated.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { verifyLog } from '../../src/audit/verify.ts';
import { verifyConsistency, verifyInclusion } from '../../src/crypto/merkle.ts';
import { logPublicKeyFromRaw, verifyCheckpoint } from '../../src/audit/checkpoint.ts';
import type { SignedCheckpoint, InclusionReceipt } from '../../src/audit/log-queries.ts';
import { untilCheckpointed, writeElection, type Fixture } from './election-fixture.ts';
import { followAndVerify, type VerifiedCheckpoint } from '../../src/client/audit-follow.ts';

let cluster: TestCluster;
let conn: EvoteConnection;
let fixture: Fixture;
let logPublicKey: string;
const h = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

function get(url: string, opts: { pauseMs?: number } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        // A slow reader: the server must hold back, not buffer the whole log.
        if (opts.pauseMs) {
          res.pause();
          setTimeout(() => res.resume(), opts.pauseMs);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

beforeAll(async () => {
  process.env.EVOTE_LOG_CHECKPOINT_EVENTS = '50';
  process.env.EVOTE_LOG_CHECKPOINT_SECONDS = '0.3';
  cluster = await startTestCluster({ processes: 2 });
  const system = cluster.systems[0]!;
  fixture = await writeElection(system.store, system.keyStore, { voters: 60, voting: 50 });
  const created = await system.store.readStream(`election-${fixture.electionId}`, { limit: 1 });
  logPublicKey = (created[0]!.data as { logPublicKey: string }).logPublicKey;
  conn = await EvoteConnection.connect(system.gateway!.url);
  await untilCheckpointed(system.sql, fixture.electionId);
}, 120_000);

afterAll(async () => {
  delete process.env.EVOTE_LOG_CHECKPOINT_EVENTS;
  delete process.env.EVOTE_LOG_CHECKPOINT_SECONDS;
  await conn?.close();
  await cluster?.close();
});

describe('audit through the gateway', () => {
  it('two processes checkpoint one log without a duplicate revision or size', async () => {
    const events = await cluster.systems[0]!.store.readStream(`log-${fixture.electionId}`);
    const sizes = events.map((e) => (e.data as { size: number }).size);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
  });

  it('GET /elections/:id/log streams an export that audits clean, even to a slow reader', async () => {
    for (const system of cluster.systems) {
      const res = await get(`${system.gateway!.httpUrl}/elections/${fixture.electionId}/log`, { pauseMs: 2 });
      expect(res.status).toBe(200);
      expect(res.type).toContain('application/x-ndjson');
      const report = await verifyLog(res.body.trim().split('\n'), { workers: 1 });
      expect(report.failures).toEqual([]);
      expect(report.counts).toEqual(fixture.counts);
    }
  });

  it('GET /elections/:id/log answers 404 for an unknown election and 400 for a bad id', async () => {
    const base = cluster.systems[0]!.gateway!.httpUrl;
    expect((await get(`${base}/elections/nope-${Date.now()}/log`)).status).toBe(404);
    expect((await get(`${base}/elections/bad%20id/log`)).status).toBe(400);
  });

  it('audit.checkpoint returns the latest signed head, which verifies under the log key', async () => {
    const cp = await conn.request<SignedCheckpoint>('query', 'audit.checkpoint', { electionId: fixture.electionId });
    const key = logPublicKeyFromRaw(logPublicKey)!;
    expect(verifyCheckpoint(key, cp, cp.signature)).toBe(true);
    expect(verifyCheckpoint(key, { ...cp, size: cp.size - 1 }, cp.signature)).toBe(false);
  });

  it('audit.inclusionProof gives a voter a receipt that verifies, by ballot hash or by N2 commitment', async () => {
    const key = logPublicKeyFromRaw(logPublicKey)!;
    const ballot = fixture.ballots[7]!;
    for (const payload of [{ ballotHash: ballot.ballotHash }, { n2Commitment: ballot.n2Commitment }]) {
      const r = await conn.request<InclusionReceipt>('query', 'audit.inclusionProof', { electionId: fixture.electionId, ...payload });
      expect(r.ballotHash).toBe(ballot.ballotHash);
      expect(verifyCheckpoint(key, r.checkpoint, r.checkpoint.signature)).toBe(true);
      expect(verifyInclusion(r.leafIndex, r.checkpoint.size, h(r.leafHash), r.proof.map(h), h(r.checkpoint.root))).toBe(true);
      expect(verifyInclusion(r.leafIndex + 1, r.checkpoint.size, h(r.leafHash), r.proof.map(h), h(r.checkpoint.root))).toBe(false);
      expect(r.counted).toMatchObject({ status: 'VALID' });
    }
    await expect(conn.request('query', 'audit.inclusionProof', { electionId: fixture.electionId, ballotHash: '00'.repeat(32) })).rejects.toMatchObject({ code: 'BALLOT_NOT_FOUND' });
    await expect(conn.request('query', 'audit.inclusionProof', { electionId: fixture.electionId, ballotHash: 'not hex' })).rejects.toBeInstanceOf(EvoteError);
    // hash(N2) alone (what a letter gives) is no key any more.
    await expect(conn.request('query', 'audit.inclusionProof', { electionId: fixture.electionId, hashN2: '00'.repeat(32) })).rejects.toBeInstanceOf(EvoteError);
  });

  it('audit.consistencyProof proves an early checkpoint is a prefix of the latest', async () => {
    const events = await cluster.systems[0]!.store.readStream(`log-${fixture.electionId}`);
    const first = events[1]!.data as { size: number; root: string };
    const last = events[events.length - 1]!.data as { size: number; root: string };
    const p = await conn.request<{ fromRoot: string; toRoot: string; proof: string[] }>('query', 'audit.consistencyProof', { electionId: fixture.electionId, from: first.size, to: last.size });
    expect(p.fromRoot).toBe(first.root);
    expect(p.toRoot).toBe(last.root);
    expect(verifyConsistency(first.size, last.size, h(first.root), h(last.root), p.proof.map(h))).toBe(true);
    await expect(conn.request('query', 'audit.consistencyProof', { electionId: fixture.electionId, from: 5, to: last.size + 1 })).rejects.toMatchObject({ code: 'INVALID_PROOF_RANGE' });
  });

  it('audit.follow streams the log live and the follower verifies every checkpoint as it arrives', async () => {
    // Follow through the second process: its pushes are woken by the first one's writes (Redis).
    const follower = await EvoteConnection.connect(cluster.systems[1]!.gateway!.url);
    try {
      const verified: VerifiedCheckpoint[] = [];
      const f = await followAndVerify(follower, fixture.electionId, { onCheckpoint: (c) => verified.push(c) });
      const store = cluster.systems[0]!.store;
      const head = (await store.readStream(`log-${fixture.electionId}`)).at(-1)!.data as { size: number };
      await until(() => f.lastVerified()?.size === head.size, 15_000, 'the follower to catch up');
      expect(f.failure()).toBeUndefined();
      expect(verified.length).toBe((await store.readStream(`log-${fixture.electionId}`)).length);

      // The log grows: the new leaf and its checkpoint (T trigger) reach the follower live.
      await store.append(`tally-${fixture.electionId}`, [{ type: 'TallyStarted', data: { electionId: fixture.electionId, ballots: 0, startedAt: new Date().toISOString() } }], { expectedRevision: 'any' });
      await until(() => f.lastVerified()?.size === head.size + 1, 15_000, 'the live checkpoint');
      expect(f.failure()).toBeUndefined();
      await f.stop();
    } finally {
      await follower.close();
    }
  });

  it('audit.follow resumed after a position starts at the right leaf, the one the export numbers', async () => {
    const res = await get(`${cluster.systems[0]!.gateway!.httpUrl}/elections/${fixture.electionId}/log`);
    const leaves = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position?: number; leafIndex?: number; leafHash?: string })
      .filter((l) => typeof l.leafIndex === 'number');
    const resumeAt = leaves[Math.floor(leaves.length / 2)]!;
    const follower = await EvoteConnection.connect(cluster.systems[1]!.gateway!.url);
    try {
      const pushed: { leafIndex: number; leafHash: string }[] = [];
      const { snapshot } = await follower.subscribe<{ nextLeafIndex: number }>('audit.follow', { electionId: fixture.electionId, after: resumeAt.position }, (p) => {
        if (p.name === 'audit.event') pushed.push(p.payload as { leafIndex: number; leafHash: string });
      });
      expect(snapshot.nextLeafIndex).toBe(resumeAt.leafIndex! + 1);
      await until(() => pushed.length > 0, 10_000, 'the first resumed leaf');
      expect(pushed[0]).toMatchObject({ leafIndex: resumeAt.leafIndex! + 1, leafHash: leaves[resumeAt.leafIndex! + 1]!.leafHash });
    } finally {
      await follower.close();
    }
  });
});

