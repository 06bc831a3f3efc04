/**
 * Voter ballot paths through the real gateway: blind signatures (ballot.blindSign, authenticated)
 * and anonymous casts (ballot.cast), each next to the raw RSA private operations/s of this machine
 * measured in the same run (a blind signature is one RSA private operation; a cast costs none on
 * the server, so the raw figure is the ceiling a signing authority would hit first).
 */
import { randomBytes } from 'node:crypto';
import { EvoteConnection } from '../src/client/connection.ts';
import { loginVoter } from '../src/client/client-login.ts';
import { generateRsaKeyPair, rsaRawPrivate } from '../src/crypto/rsa.ts';
import { encryptBallotToText } from '../src/crypto/ballot-encryption.ts';
import { importPublicKey, prepareBallot } from '../src/client/voter-ballot.ts';
import { against, measure, type BenchResult } from './harness.ts';
import { runLoadWorker } from './worker-load.ts';
import type { PreparedRequest } from './request-load.ts';
import { mintCredentials, opsPerSecond, plantSecretCodes, registerClientApp, spread, startedElection, type BenchSystem } from './election-setup.ts';

export function rawRsaPrivateOps(ms = 1_500): BenchResult {
  const { privateKey } = generateRsaKeyPair(2048);
  const x = new Uint8Array(randomBytes(256));
  x[0] = 0x01;
  return { name: 'raw RSA-2048 private operations, one thread', rate: opsPerSecond(ms, () => rsaRawPrivate(privateKey, x)), unit: 'ops' };
}

/**
 * Timed requests: on a worker thread by default (the client's ws framing and JSON would otherwise
 * share the server's thread), or in this thread with inProcess.
 */
async function timedRequests(url: string, requests: PreparedRequest[], connections: number, inProcess: boolean): Promise<number> {
  if (!inProcess) {
    const { seconds, failures } = await runLoadWorker<{ seconds: number; failures: number }>('./request-load.ts', { url, requests, connections });
    if (failures > 0) throw new Error(`${failures} of ${requests.length} requests failed`);
    return requests.length / seconds;
  }
  const conns = await Promise.all(Array.from({ length: connections }, () => EvoteConnection.connect(url)));
  try {
    const { rate } = await measure(async () => {
      await spread(requests.length, connections, async (i, w) => {
        const r = requests[i]!;
        await conns[w]!.request(r.kind, r.name, r.payload, r.token ? { token: r.token } : undefined);
      });
      return requests.length;
    });
    return rate;
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

const where = (inProcess: boolean | undefined) => (inProcess ? 'client in the server thread' : 'client in a worker thread');

export async function castBench(sys: BenchSystem, opts: { casts?: number; connections?: number; raw?: BenchResult; inProcess?: boolean; label?: string } = {}): Promise<BenchResult[]> {
  const casts = opts.casts ?? 5_000;
  const connections = opts.connections ?? 50;
  const raw = opts.raw ?? rawRsaPrivateOps();
  // expectedVoters above the casts: the election must not close itself mid-run.
  const election = await startedElection(sys, 1, casts + 10);
  const tokens = await mintCredentials(sys.store, election.electionId, casts);
  const ballotKey = importPublicKey(election.created.ballotPublicKey);
  // Prepared up front: only the server's work is timed (the ciphertext need not carry a valid
  // signature to be accepted; the tally would classify it, which is not measured here).
  const ciphertexts = tokens.map(() => encryptBallotToText(ballotKey, election.electionId, new Uint8Array(600)));
  const requests: PreparedRequest[] = tokens.map((t, i) => ({ kind: 'command', name: 'ballot.cast', payload: { electionId: election.electionId, n1: t.n1, ciphertext: ciphertexts[i] } }));
  const rate = await timedRequests(sys.url, requests, connections, opts.inProcess ?? false);
  return [raw, against({ name: `WS ballot.cast, ${connections} connections, ${opts.label ? `${opts.label}, ` : ''}${where(opts.inProcess)}`, rate, unit: 'casts' }, raw)];
}

export async function blindSignBench(sys: BenchSystem, opts: { signatures?: number; connections?: number; raw?: BenchResult; inProcess?: boolean } = {}): Promise<BenchResult[]> {
  const signatures = opts.signatures ?? 2_000;
  const connections = opts.connections ?? 50;
  const raw = opts.raw ?? rawRsaPrivateOps();
  const election = await startedElection(sys, signatures);
  const codes = await plantSecretCodes(sys, election.electionId, election.voterIds);
  const client = await registerClientApp(sys);
  const authorityPublicKey = importPublicKey(election.created.authorityPublicKey);
  // Logged in and blinded beforehand: only ballot.blindSign is timed. One connection per login, as
  // a voter's device has: a connection may begin only a few level-3 logins (docs/auth.md).
  const accessTokens = new Array<string>(signatures);
  await spread(signatures, connections, async (i) => {
    const conn = await EvoteConnection.connect(sys.url);
    try {
      const t = await loginVoter(conn, { electionId: election.electionId, voterId: election.voterIds[i]!, secretCode: codes[i]! }, client);
      accessTokens[i] = t.accessToken;
    } finally {
      await conn.close();
    }
  });
  const blinded = election.voterIds.map(() => prepareBallot({ electionId: election.electionId, choice: 'A', n2Commitment: '0'.repeat(64), authorityPublicKey }).blindedMessage);
  const requests: PreparedRequest[] = blinded.map((blindedMessage, i) => ({
    kind: 'command',
    name: 'ballot.blindSign',
    payload: { electionId: election.electionId, blindedMessage },
    token: accessTokens[i],
  }));
  const rate = await timedRequests(sys.url, requests, connections, opts.inProcess ?? false);
  return [raw, against({ name: `WS ballot.blindSign, ${connections} connections, ${where(opts.inProcess)}`, rate, unit: 'signatures' }, raw)];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/**
 * One cast at a time on one connection, on an otherwise idle server: the round trip a voter sees,
 * p50 and p99. With the pool the reply waits for the durable admission, not for other voters.
 */
export async function castLatencyBench(sys: BenchSystem, label: string, casts = 400): Promise<BenchResult> {
  const election = await startedElection(sys, 1, casts + 10);
  const tokens = await mintCredentials(sys.store, election.electionId, casts);
  const ballotKey = importPublicKey(election.created.ballotPublicKey);
  const ciphertexts = tokens.map(() => encryptBallotToText(ballotKey, election.electionId, new Uint8Array(600)));
  const conn = await EvoteConnection.connect(sys.url);
  try {
    const times: number[] = [];
    for (const [i, t] of tokens.entries()) {
      const t0 = performance.now();
      await conn.request('command', 'ballot.cast', { electionId: election.electionId, n1: t.n1, ciphertext: ciphertexts[i] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const total = times.reduce((s, x) => s + x, 0) / 1000;
    return { name: `WS ballot.cast one at a time, ${label}`, rate: casts / total, unit: 'casts', note: `p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms` };
  } finally {
    await conn.close();
  }
}
