/**
 * The hot public reads (issue 16): receipt and board queries from 50 connections in two child
 * processes against a released election, next to the native WebSocket round trips of this machine
 * measured in the same run (uWebSockets.js answering each frame with a fixed reply, same clients).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EvoteConnection } from '../src/client/connection.ts';
import { encryptBallotToText } from '../src/crypto/ballot-encryption.ts';
import { importPublicKey } from '../src/client/voter-ballot.ts';
import { createUwsTransport } from '../src/gateway/uws.ts';
import type { ReadCache } from '../src/projections/read-cache.ts';
import type { BoardBallot } from '../src/projections/board-queries.ts';
import { against, type BenchResult } from './harness.ts';
import { mintCredentials, spread, startedElection, type BenchSystem } from './election-setup.ts';
import type { FromReads, ReadsInput, ReadsReport } from './reads-process.ts';
import { nextFromChild } from './child-ipc.ts';

const ENTRY = fileURLToPath(new URL('./reads-process.ts', import.meta.url));
const CHILDREN = 2;
const CONNECTIONS = 50;

/** Replies/s of CONNECTIONS closed-loop clients spread over CHILDREN processes, all started together. */
async function replyRate(url: string, requests: ReadsInput['requests'], ms: number): Promise<number> {
  const children = Array.from({ length: CHILDREN }, () => fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  try {
    const next = (c: ReturnType<typeof fork>) => nextFromChild<FromReads>(c, 'read load process');
    const ready = children.map((c) => next(c));
    children.forEach((c) => c.send({ url, connections: CONNECTIONS / CHILDREN, ms, requests } satisfies ReadsInput));
    await Promise.all(ready);
    const reports = children.map((c) => next(c));
    for (const c of children) c.send('go');
    const done = (await Promise.all(reports)).map((m) => (m as { report: ReadsReport }).report);
    const failures = done.reduce((s, r) => s + r.failures, 0);
    if (failures > 0) throw new Error(`${failures} read queries failed`);
    return done.reduce((s, r) => s + r.replies / r.seconds, 0);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

/** The limit: the same clients against a bare uWebSockets.js server that parses each frame and sends a fixed reply. */
async function nativeRoundTrips(ms: number): Promise<BenchResult> {
  const app = createUwsTransport();
  app.ws<object>('/ws', { maxPayloadLength: 64 * 1024, idleTimeoutSeconds: 60, maxBackpressure: 1024 * 1024 }, {
    upgrade: (res, req, context) =>
      res.upgrade({}, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context),
    open: () => undefined,
    message: (ws, message) => {
      const { id } = JSON.parse(Buffer.from(message).toString('utf8')) as { id: string };
      ws.send(`{"id":${JSON.stringify(id)},"ok":true,"result":{}}`);
    },
    close: () => undefined,
  });
  const listener = await app.listen('127.0.0.1', 0);
  try {
    const rate = await replyRate(`ws://127.0.0.1:${listener.port}/ws`, [{ name: 'election.get', payload: { electionId: 'x' } }], ms);
    return { name: `native WebSocket round trips (uWebSockets.js, fixed reply), ${CONNECTIONS} connections in ${CHILDREN} processes`, rate, unit: 'round trips' };
  } finally {
    listener.close();
  }
}

export async function readsBench(sys: BenchSystem & { readCache: ReadCache }, opts: { casts?: number; ms?: number } = {}): Promise<BenchResult[]> {
  const casts = opts.casts ?? 2_000;
  const ms = opts.ms ?? 3_000;
  const election = await startedElection(sys, 1, casts + 10);
  const { electionId } = election;
  const tokens = await mintCredentials(sys.store, electionId, casts);
  const ballotKey = importPublicKey(election.created.ballotPublicKey);
  const hashes = new Array<string>(casts);
  const conns = await Promise.all(Array.from({ length: 50 }, () => EvoteConnection.connect(sys.url)));
  const admin = conns[0]!;
  const cursors: (number | undefined)[] = [undefined];
  try {
    await spread(casts, conns.length, async (i, w) => {
      const ciphertext = encryptBallotToText(ballotKey, electionId, new Uint8Array(600));
      hashes[i] = (await conns[w]!.request<{ ballotHash: string }>('command', 'ballot.cast', { electionId, n1: tokens[i]!.n1, ciphertext })).ballotHash;
    });
    // The close releases the whole pool; the reply waits for the read models (read-your-writes).
    await admin.request('command', 'election.end', { electionId }, { token: sys.adminToken });
    for (let after: number | null | undefined; ; ) {
      const page = await admin.request<{ ballots: BoardBallot[]; next: number | null }>('query', 'board.ballots', { electionId, ...(after != null ? { after } : {}) });
      if (page.next === null) break;
      cursors.push((after = page.next));
    }
    if (cursors.length * 20 < casts) throw new Error(`the board shows ${cursors.length} pages for ${casts} casts`);
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }

  const native = await nativeRoundTrips(ms);
  const workloads: { name: string; requests: ReadsInput['requests'] }[] = [
    { name: 'ballots.receipt (2,000 released ballots, random)', requests: hashes.map((ballotHash) => ({ name: 'ballots.receipt', payload: { electionId, ballotHash } })) },
    {
      name: 'board.ballots (pages of 20 over the whole board)',
      requests: [...Array(cursors.length).keys()].map((i) => ({ name: 'board.ballots', payload: { electionId, ...(cursors[i] !== undefined ? { after: cursors[i] } : {}) } })),
    },
    { name: 'board.summary + election.get', requests: [{ name: 'board.summary', payload: { electionId } }, { name: 'election.get', payload: { electionId } }] },
    { name: 'election.list', requests: [{ name: 'election.list', payload: {} }] },
  ];
  const out: BenchResult[] = [native];
  for (const w of workloads) {
    const before = sys.readCache.stats();
    const rate = await replyRate(sys.url, w.requests, ms);
    const after = sys.readCache.stats();
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    out.push(against({ name: `WS ${w.name}, ${CONNECTIONS} connections in ${CHILDREN} processes`, rate, unit: 'queries', note: `cache hits ${((100 * hits) / Math.max(1, hits + misses)).toFixed(1)} %` }, native));
  }
  return out;
}
