/**
 * Tally throughput next to the raw RSA private-operation rate measured in the same run.
 *   tallyBench(ballots = 2_000) → results for: the raw RSA-2048 private op (one thread), the
 *   per-ballot floor of node:crypto next to it (bench/tally-floor.ts), the worker
 *   pool alone (open = decrypt + decode + verify) with 1 and 2 workers, and whole tally
 *   runs (read the log, open, classify, append VoteCounted, publish) on scratch PostgreSQL.
 *
 * The machine is shared (2 cores, other engineers' benchmarks, PostgreSQL), so the figures are built
 * to stay meaningful under load:
 *   - the raw limit of N threads is measured *in the pool's own N workers at once* (same thread,
 *     same KeyObject, same rsaRawPrivate call as the tally), right before and after each
 *     measurement, instead of assuming N × one thread;
 *   - the 1- and 2-worker pools are both warm (JIT included) and measured in alternating rounds on
 *     the same ballots, so they share one load window;
 *   - per-worker efficiency is thread CPU time: a worker's CPU per ballot against the raw op's CPU
 *     per op in the same workers (Linux /proc/thread-self/schedstat; src/runtime/thread-cpu.ts). It does
 *     not move with other processes' load. The main thread's and the other threads' (V8 GC/JIT)
 *     CPU per ballot are in the notes;
 *   - the process-CPU figure of earlier runs (ballots per CPU-second of the whole process against
 *     the main thread's raw ops per CPU-second) is kept for comparison.
 * Every note carries the 1-minute load average at the time.
 * Run alone: `npx tsx bench/tally.ts [ballots]`; the whole-election tally alone:
 * `npx tsx bench/tally.ts 100000 --whole`; the floor alone: `npx tsx bench/tally.ts 256 --floor`.
 */
import { constants, createHash, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { loadavg } from 'node:os';
import { createPgClient } from '../src/sql/client.ts';
import { createScratchPgDatabase } from '../test/support/scratch-db.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { migrateToLatest } from '../src/sql/migrate.ts';
import { keyNames, type KeyStore } from '../src/keystore/port.ts';
import { createElectionCommandHandlers } from '../src/commands/election-command-handlers.ts';
import { privateKeyFromPkcs8 } from '../src/commands/election-keys.ts';
import { toBase64url, toHex } from '../src/crypto/bytes.ts';
import { rsaPublicKeyOf } from '../src/crypto/rsa.ts';
import { prepare, RSABSSA_SALT_BYTES } from '../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../src/crypto/ballot-plaintext.ts';
import { encryptBallot } from '../src/crypto/ballot-encryption.ts';
import { hashToken, issueTokens } from '../src/credentials/tokens.ts';
import { n2Commitment, newN2Salt } from '../src/crypto/n2-commitment.ts';
import { createTallyPool, type RawProbe, type TallyPool } from '../src/tally/pool.ts';
import { rawPrivateOps } from '../src/tally/raw-probe.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';
import { runTally } from '../src/tally/tally-run.ts';
import { createSqlRangeClaims } from '../src/tally/sql-range-claims.ts';
import type { TallyRangeClaims } from '../src/tally/range-claims.ts';
import { against, renderTable, type BenchResult } from './harness.ts';
import { cryptoFloor } from './tally-floor.ts';
import { sharedTallyBench } from './tally-shared.ts';
import { ballotStreamId, credentialStreamId, voterStreamId } from '../src/domain/streams.ts';

const CHOICES = ['Yes', 'No', 'Blank'];
const CHUNK = 256;
const PROBE_MS = 200;

const load = () => `load ${loadavg()[0]?.toFixed(1)}`;
const us = (seconds: number, units: number) => ((seconds * 1e6) / units).toFixed(0);
const mainCpu = () => (threadCpuNanos() ?? Number.NaN) / 1e9;
const processCpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** Wall, whole-process CPU and main-thread CPU seconds of one piece of work. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; processCpu: number; mainCpu: number }> {
  const [p0, m0, t0] = [processCpu(), mainCpu(), performance.now()];
  const value = await work();
  return { value, seconds: (performance.now() - t0) / 1000, processCpu: processCpu() - p0, mainCpu: mainCpu() - m0 };
}

/** The main thread's raw RSA private operations for ~1.5 s (the tally's own call): wall rate and CPU per op. */
function rawOnMainThread(privateKey: ReturnType<typeof privateKeyFromPkcs8>): { rate: number; cpuRate: number; processCpuRate: number } {
  const [p0, m0] = [processCpu(), mainCpu()];
  const { ops, wallMillis } = rawPrivateOps(privateKey, 1_500);
  return { rate: ops / (wallMillis / 1000), cpuRate: ops / (mainCpu() - m0), processCpuRate: ops / (processCpu() - p0) };
}

async function openAll(pool: TallyPool, ciphertexts: string[]): Promise<number> {
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < ciphertexts.length; i += CHUNK) chunks.push(pool.open(ciphertexts.slice(i, i + CHUNK)));
  await Promise.all(chunks);
  return ciphertexts.length;
}

/**
 * One round: passes over the ballots in slices of ~0.2 s, each between two raw probes of the pool's
 * N workers at once (probe, slice, probe, slice, …, probe). One long probe and then one long pass
 * let the machine's speed drift between the two (rounds read 0.84–1.06×, and above 1 is not
 * possible); probes on both sides of every slice cancel a steady drift.
 */
interface Round {
  raw: { rate: number; ops: number; cpu: number };
  ballots: number;
  seconds: number;
  processCpu: number;
  mainCpu: number;
  workerCpu: number;
}

async function poolRound(pool: TallyPool, ciphertexts: string[]): Promise<Round> {
  const probes: RawProbe[][] = [await pool.probeRaw(PROBE_MS)];
  const workerCpu = () => pool.work().reduce((sum, w) => sum + (w.cpuSeconds ?? Number.NaN), 0);
  const round = { ballots: 0, seconds: 0, processCpu: 0, mainCpu: 0, workerCpu: 0 };
  const slice = CHUNK * pool.size * 2;
  for (let i = 0; i < ciphertexts.length; i += slice) {
    const w0 = workerCpu();
    const t = await timed(() => openAll(pool, ciphertexts.slice(i, i + slice)));
    round.ballots += t.value;
    round.seconds += t.seconds;
    round.processCpu += t.processCpu;
    round.mainCpu += t.mainCpu;
    round.workerCpu += workerCpu() - w0;
    probes.push(await pool.probeRaw(PROBE_MS));
  }
  // The N workers' ops per second at once, averaged over the probes around the slices.
  const rateOf = (probe: RawProbe[]) => probe.reduce((sum, p) => sum + p.ops / p.seconds, 0);
  const all = probes.flat();
  const raw = {
    rate: probes.reduce((sum, probe) => sum + rateOf(probe), 0) / probes.length,
    ops: all.reduce((sum, p) => sum + p.ops, 0),
    cpu: all.reduce((sum, p) => sum + (p.cpuSeconds ?? Number.NaN), 0),
  };
  return { raw, ...round };
}

const sum = (rounds: Round[], f: (r: Round) => number) => rounds.reduce((acc, r) => acc + f(r), 0);
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;

export interface BenchElection {
  electionId: string;
  ciphertexts: string[];
}

/**
 * `count` valid ballots cast in a started election, appended as the ballot pool leaves the log (each
 * credential minted and spent, each ballot in a stream of its own): real encryption to `ballotKey`,
 * real authority signatures (fast PSS signing of the prepared message), choice i is choices[i % length].
 * With `voterIds` (registered voters, one per ballot), each ballot's signature is also logged as a
 * BlindSignatureIssued to voter i, as the audit's bounds require (no blinding here: the hash is random).
 */
export async function appendCastBallots(store: EventStore, o: { electionId: string; authority: KeyObject; ballotKey: KeyObject; count: number; choices: readonly string[]; voterIds?: readonly string[] }): Promise<string[]> {
  if (o.voterIds && o.voterIds.length < o.count) throw new Error(`${o.count} ballots need as many voters, not ${o.voterIds.length}`);
  const { electionId, authority, count, choices } = o;
  const ciphertexts: string[] = [];
  for (let i = 0; i < count; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - i) }, (_, j) => {
      const { n1, n2 } = issueTokens();
      const commitment = n2Commitment(n2, newN2Salt());
      const prepared = prepare(encodeBallotMessage({ electionId, choice: choices[(i + j) % choices.length] as string, n2Commitment: commitment }));
      const signature = sign('sha384', prepared, { key: authority, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES });
      const bytes = encryptBallot(o.ballotKey, electionId, encodeBallotPlaintext({ preparedMessage: prepared, signature: new Uint8Array(signature) }));
      const ciphertext = toBase64url(bytes);
      ciphertexts.push(ciphertext);
      const hashN1 = hashToken(n1) as string;
      return { hashN1, hashN2: hashToken(n2) as string, ciphertext, ballotHash: toHex(createHash('sha256').update(bytes).digest()) };
    });
    await store.appendMany([
      ...batch.map((b) => ({
        streamId: credentialStreamId(electionId, b.hashN1),
        events: [
          { type: 'CredentialMinted', data: { electionId, hashN1: b.hashN1, hashN2: b.hashN2 } },
          { type: 'CredentialSpent', data: { electionId, hashN1: b.hashN1 } },
        ],
        expectedRevision: 'no_stream' as const,
      })),
      ...(o.voterIds ?? []).slice(i, i + batch.length).map((voterId) => ({
        streamId: voterStreamId(electionId, voterId),
        events: [{ type: 'BlindSignatureIssued', data: { electionId, voterId, blindedMessageHash: toHex(randomBytes(32)) } }],
        expectedRevision: 'no_stream' as const,
      })),
      ...batch.map((b) => ({
        streamId: ballotStreamId(electionId, randomUUID()),
        events: [{ type: 'BallotCast', data: { electionId, ballotHash: b.ballotHash, ciphertext: b.ciphertext } }],
        expectedRevision: 'no_stream' as const,
      })),
    ]);
  }
  return ciphertexts;
}

/** An ended election with `count` valid ballots cast, built with the real encodings (fast PSS signing). */
export async function ballotElection(store: EventStore, keyStore: KeyStore, count: number): Promise<BenchElection> {
  const commands = createElectionCommandHandlers(store, { now: () => new Date(), newId: () => randomUUID(), keyStore });
  const created = await commands.createElection({ theme: 'Tally bench', choices: CHOICES, expectedVoters: Math.max(count, 1) });
  if (!created.ok) throw new Error(created.error.message);
  const { electionId } = created.value;
  await commands.registerVoter({ electionId, email: 'bench@example.org' });
  await commands.startVoting({ electionId });
  const authority = privateKeyFromPkcs8((await keyStore.get(keyNames.authority(electionId))) as Uint8Array);
  const counter = rsaPublicKeyOf(privateKeyFromPkcs8((await keyStore.get(keyNames.counter(electionId))) as Uint8Array));
  const ciphertexts = await appendCastBallots(store, { electionId, authority, ballotKey: counter, count, choices: CHOICES });
  await commands.endVoting({ electionId });
  return { electionId, ciphertexts };
}

export async function tallyBench(ballots = 2_000, opts: { databaseUrl?: string; rounds?: number } = {}): Promise<BenchResult[]> {
  const db = opts.databaseUrl ? undefined : await createScratchPgDatabase();
  const sql = createPgClient(opts.databaseUrl ?? (db as { url: string }).url);
  if (opts.databaseUrl) await migrateToLatest(sql);
  const store = await createSqlEventStore(sql);
  const keyStore = await createSqlKeyStore(sql, randomBytes(32));
  const claims = createSqlRangeClaims(sql);
  const results: BenchResult[] = [];
  const pools: TallyPool[] = [];
  try {
    const one = await ballotElection(store, keyStore, ballots);
    const two = await ballotElection(store, keyStore, ballots);
    const counterPkcs8 = (await keyStore.get(keyNames.counter(one.electionId))) as Uint8Array;
    const authorityPkcs8 = (await keyStore.get(keyNames.authority(one.electionId))) as Uint8Array;
    const authoritySpki = new Uint8Array(rsaPublicKeyOf(privateKeyFromPkcs8(authorityPkcs8)).export({ format: 'der', type: 'spki' }));
    const counterKey = privateKeyFromPkcs8(counterPkcs8);

    // The raw limit as every earlier run defined it: one thread (here the main one), rsaRawPrivate.
    const raw1 = rawOnMainThread(counterKey);
    const rawMain: BenchResult = { name: 'raw RSA-2048 private op, 1 thread (main)', rate: raw1.rate, unit: 'ops', note: `${us(1, raw1.cpuRate)} µs CPU/op, ${load()}` };
    results.push(rawMain);
    // What node:crypto allows at best per ballot, on the same thread: the ceiling of the per-worker figure.
    results.push(...cryptoFloor({ electionId: one.electionId, counterPrivateKey: counterKey, authorityPublicKey: rsaPublicKeyOf(privateKeyFromPkcs8(authorityPkcs8)) }, one.ciphertexts));

    // Both pools warm (workers started, JIT done) before any measurement; then alternating rounds.
    for (const size of [1, 2]) {
      pools.push(await createTallyPool({ electionId: one.electionId, size, measureCpu: true, counterPrivateKeyPkcs8: new Uint8Array(counterPkcs8), authorityPublicKeySpki: authoritySpki }));
    }
    for (const pool of pools) {
      const t0 = performance.now();
      while (performance.now() - t0 < 1_500) await openAll(pool, one.ciphertexts.slice(0, CHUNK * pool.size * 2));
    }
    const rounds: Round[][] = pools.map(() => []);
    for (let r = 0; r < Math.max(1, opts.rounds ?? 3); r++) {
      for (const [i, pool] of pools.entries()) rounds[i]?.push(await poolRound(pool, one.ciphertexts));
    }

    const rates: number[] = [];
    const raws: number[] = [];
    for (const [i, pool] of pools.entries()) {
      const rs = rounds[i] as Round[];
      const ballotsDone = sum(rs, (r) => r.ballots);
      const rawRate = sum(rs, (r) => r.raw.rate) / rs.length;
      const rawCpuRate = sum(rs, (r) => r.raw.ops) / sum(rs, (r) => r.raw.cpu);
      const workerCpu = sum(rs, (r) => r.workerCpu);
      const mainCpuUsed = sum(rs, (r) => r.mainCpu);
      const other = sum(rs, (r) => r.processCpu) - mainCpuUsed - workerCpu;
      const seconds = sum(rs, (r) => r.seconds);
      const threads = `${pool.size} thread${pool.size > 1 ? 's' : ''}`;
      const label = `${pool.size} worker${pool.size > 1 ? 's' : ''}`;
      const rawRow: BenchResult = { name: `raw private op, ${threads} at once (in the pool's workers)`, rate: rawRate, unit: 'ops', note: `measured, ${us(1, rawCpuRate)} µs CPU/op, ${load()}` };
      const rate = ballotsDone / seconds;
      results.push(rawRow);
      results.push(
        against(
          {
            name: `tally pool open, ${label}`,
            rate,
            unit: 'ballots',
            note: `${rs.length} rounds × ${ballots} ballots, each slice between two raw probes: ${range(rs.map((r) => r.ballots / r.seconds / r.raw.rate))}; ${(sum(rs, (r) => r.processCpu) / seconds).toFixed(2)} cores obtained, ${load()}`,
          },
          rawRow,
        ),
      );
      results.push(
        against(
          {
            name: `tally pool open, ${label}, worker thread CPU (per-worker efficiency)`,
            rate: ballotsDone / workerCpu,
            unit: 'ballots/CPU',
            note: `rounds ${range(rs.map((r) => r.ballots / r.workerCpu / (r.raw.ops / r.raw.cpu)))}; µs CPU per ballot: workers ${us(workerCpu, ballotsDone)}, main thread ${us(mainCpuUsed, ballotsDone)}, other threads (V8 GC/JIT) ${us(other, ballotsDone)}`,
          },
          { name: 'raw op per thread-CPU-s, same workers', rate: rawCpuRate, unit: 'ops/CPU' },
        ),
      );
      if (pool.size === 1) {
        results.push(against({ name: 'tally pool open, 1 worker, process CPU', rate: ballotsDone / sum(rs, (r) => r.processCpu), unit: 'ballots/CPU', note: 'whole process, as in earlier runs' }, { name: 'raw op per process-CPU-s (main)', rate: raw1.processCpuRate, unit: 'ops/CPU' }));
      }
      rates.push(rate);
      raws.push(rawRate);
    }
    const [rate1, rate2] = rates as [number, number];
    const [rawRate1, rawRate2] = raws as [number, number];
    results.push({ name: 'raw private op, scaling 1 → 2 threads (what the machine gave)', rate: rawRate2, unit: 'ops', against: { name: 'raw, 1 thread', rate: rawRate1, ratio: rawRate2 / rawRate1 }, note: load() });
    results.push({
      name: 'tally pool open, scaling 1 → 2 workers',
      rate: rate2,
      unit: 'ballots',
      against: { name: 'pool open, 1 worker', rate: rate1, ratio: rate2 / rate1 },
      note: `${((rate2 / rate1 / (rawRate2 / rawRate1)) * 100).toFixed(0)} % of the raw op's own scaling in the same window, ${load()}`,
    });
    await Promise.all(pools.splice(0).map((p) => p.close()));

    for (const [workers, election] of [[1, one], [2, two]] as const) {
      const raw = rawOnMainThread(counterKey);
      const rawRow: BenchResult = { name: workers === 1 ? 'raw private op, 1 thread (main)' : 'raw private op, 1 thread (main) × 2', rate: raw.rate * workers, unit: 'ops', note: load() };
      // The first progress with votes counted shows how long the start took (log read, workers' start and JIT).
      const marks: { at: number; done: number }[] = [];
      const begun = performance.now();
      const t = await timed(async () => {
        const r = await runTally({ store, keyStore, claims, now: () => new Date() }, { electionId: election.electionId, workers, onProgress: (p) => marks.push({ at: performance.now(), done: p.done }) });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.ballots;
      });
      const label = `${workers} worker${workers > 1 ? 's' : ''}`;
      const firstAppend = marks.find((m) => m.done > 0);
      const startNote = firstAppend ? `; first ${firstAppend.done} VoteCounted appended ${((firstAppend.at - begun) / 1000).toFixed(1)} s into the run (log read, workers' start)` : '';
      results.push(against({ name: `tally run end to end, ${label}`, rate: t.value / t.seconds, unit: 'ballots', note: `${ballots} ballots, ${t.seconds.toFixed(1)} s, ${load()}${startNote}` }, rawRow));
      results.push(
        against(
          { name: `tally run end to end, ${label}, process CPU`, rate: t.value / t.processCpu, unit: 'ballots/CPU', note: `main thread ${us(t.mainCpu, t.value)} µs CPU/ballot; PostgreSQL not included` },
          { name: 'raw op per process-CPU-s (main)', rate: raw.processCpuRate, unit: 'ops/CPU' },
        ),
      );
    }
    return results;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await store.close();
    await sql.close();
    await db?.drop();
  }
}

/** An ended election of `ballots` ballots on a scratch database of its own, dropped afterwards. */
async function withScratchElection<T>(ballots: number, fn: (store: EventStore, keyStore: KeyStore, election: BenchElection, claims: TallyRangeClaims) => Promise<T>): Promise<T> {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  const store = await createSqlEventStore(sql);
  try {
    const keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
    return await fn(store, keyStore, await ballotElection(store, keyStore, ballots), createSqlRangeClaims(sql));
  } finally {
    await store.close();
    await sql.close();
    await db.drop();
  }
}

/**
 * The issue's whole-election figure: an ended election of `ballots` ballots (built untimed), then
 * one `runTally` with the default pool (one worker per core) timed from the command to the
 * published result: log read, workers' start, opening, classifying, VoteCounted appends, publish.
 */
export function wholeTally(ballots: number): Promise<BenchResult[]> {
  return withScratchElection(ballots, async (store, keyStore, election, claims) => {
    const counterKey = privateKeyFromPkcs8((await keyStore.get(keyNames.counter(election.electionId))) as Uint8Array);
    const raw = rawOnMainThread(counterKey);
    const loadBefore = load();
    const t = await timed(async () => {
      const r = await runTally({ store, keyStore, claims, now: () => new Date() }, { electionId: election.electionId });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.ballots;
    });
    const rawRow: BenchResult = { name: 'raw RSA-2048 private op, 1 thread (main)', rate: raw.rate, unit: 'ops', note: loadBefore };
    return [
      rawRow,
      against({ name: `whole tally of ${t.value} ballots, one worker per core`, rate: t.value / t.seconds, unit: 'ballots', note: `${t.seconds.toFixed(1)} s from the command to TallyPublished; ${loadBefore} before, ${load()} after` }, rawRow),
    ];
  });
}

/** The per-ballot node:crypto floor alone, on a scratch election's ballots (at most 256 are used). */
export function floorOnly(ballots: number): Promise<BenchResult[]> {
  return withScratchElection(Math.min(ballots, 256), async (_store, keyStore, election) => {
    const key = async (name: string) => privateKeyFromPkcs8((await keyStore.get(name)) as Uint8Array);
    const authorityPublicKey = rsaPublicKeyOf(await key(keyNames.authority(election.electionId)));
    return cryptoFloor({ electionId: election.electionId, counterPrivateKey: await key(keyNames.counter(election.electionId)), authorityPublicKey }, election.ciphertexts);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ballots = Number(process.argv[2] ?? 2_000);
  // `--whole`: only the whole-election tally (e.g. `npx tsx bench/tally.ts 100000 --whole`);
  // `--floor`: only the per-ballot node:crypto floor (bench/tally-floor.ts);
  // `--shared`: only the shared tally, 1 process against 2 (bench/tally-shared.ts).
  const only = process.argv.includes('--whole') ? wholeTally : process.argv.includes('--floor') ? floorOnly : process.argv.includes('--shared') ? sharedTallyBench : tallyBench;
  console.log(renderTable(await only(ballots)));
}
