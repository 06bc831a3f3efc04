/**
 * Tally throughput next to the raw RSA private-operation rate measured in the same run.
 *   tallyBench(ballots = 2_000) → results for: raw RSA-2048 private ops/s (one thread), the worker
 *   pool alone (open = decrypt + decode + verify + hash N2) with 1 and 2 workers, and whole tally
 *   runs (read the log, open, classify, append VoteCounted, publish) on scratch PostgreSQL.
 *
 * Two kinds of figure, because the machine is shared (other processes, PostgreSQL itself):
 *   - wall-clock rates, each against the raw rate re-measured right before it (load changes);
 *   - CPU-time rates (units per CPU-second of this process, all its threads): what a ballot costs
 *     in CPU whatever else runs, against the raw op's own CPU cost. For the pool with one worker this
 *     is the per-worker efficiency (the main thread's dispatch included, so it is a lower bound).
 * Every note carries the 1-minute load average at the time.
 * Run alone: `npx tsx bench/tally.ts [ballots]`.
 */
import { constants, createHash, randomBytes, randomUUID, sign } from 'node:crypto';
import { loadavg } from 'node:os';
import { createPgClient, createScratchPgDatabase } from '../src/sql/client.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../src/keystore/port.ts';
import { createElectionCommandHandlers } from '../src/commands/election-command-handlers.ts';
import { privateKeyFromPkcs8 } from '../src/commands/election-keys.ts';
import { bigIntToBytes, randomBigIntInRange, toBase64url, toHex } from '../src/crypto/bytes.ts';
import { rsaPublicKeyOf, rsaPublicNumbers, rsaRawPrivate } from '../src/crypto/rsa.ts';
import { prepare, RSABSSA_SALT_BYTES } from '../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../src/crypto/ballot-plaintext.ts';
import { encryptBallot } from '../src/crypto/ballot-encryption.ts';
import { hashToken, issueTokens } from '../src/credentials/tokens.ts';
import { credentialStreamId } from '../src/domain/credential-events.ts';
import { createTallyPool } from '../src/tally/pool.ts';
import { runTally } from '../src/tally/tally-run.ts';
import { against, measure, renderTable, type BenchResult } from './harness.ts';

const CHOICES = ['Yes', 'No', 'Blank'];

const load = () => `load ${loadavg()[0]?.toFixed(1)}`;

/** Wall-clock and CPU-time rates of one piece of work (CPU: this process, every thread). */
async function measureBoth(work: () => Promise<number>): Promise<{ units: number; seconds: number; rate: number; cpuRate: number }> {
  const cpu0 = process.cpuUsage();
  const m = await measure(work);
  const cpu = process.cpuUsage(cpu0);
  return { ...m, cpuRate: m.units / ((cpu.user + cpu.system) / 1e6) };
}

/** One thread's raw RSA private operations per second (OpenSSL, CRT + blinding), for ~1.5 s: wall and CPU. */
function rawRsaPrivateRate(privateKey: ReturnType<typeof privateKeyFromPkcs8>): { rate: number; cpuRate: number } {
  const { n, modulusBytes } = rsaPublicNumbers(privateKey);
  const inputs = Array.from({ length: 64 }, () => bigIntToBytes(randomBigIntInRange(2n, n), modulusBytes));
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 1_500) {
    for (const x of inputs) rsaRawPrivate(privateKey, x);
    ops += inputs.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: ops / seconds, cpuRate: ops / ((cpu.user + cpu.system) / 1e6) };
}

export interface BenchElection {
  electionId: string;
  ciphertexts: string[];
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
  const ciphertexts: string[] = [];
  for (let i = 0; i < count; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - i) }, (_, j) => {
      const { n1, n2 } = issueTokens();
      const prepared = prepare(encodeBallotMessage({ electionId, choice: CHOICES[(i + j) % CHOICES.length] as string, n2 }));
      const signature = sign('sha384', prepared, { key: authority, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES });
      const bytes = encryptBallot(counter, electionId, encodeBallotPlaintext({ preparedMessage: prepared, signature: new Uint8Array(signature) }));
      const ciphertext = toBase64url(bytes);
      ciphertexts.push(ciphertext);
      const hashN1 = hashToken(n1) as string;
      return { hashN1, hashN2: hashToken(n2) as string, ciphertext, ballotHash: toHex(createHash('sha256').update(bytes).digest()) };
    });
    await store.appendMany(
      batch.map((b) => ({
        streamId: credentialStreamId(electionId, b.hashN1),
        events: [
          { type: 'CredentialMinted', data: { electionId, hashN1: b.hashN1, hashN2: b.hashN2 } },
          { type: 'BallotCast', data: { electionId, hashN1: b.hashN1, ballotHash: b.ballotHash, ciphertext: b.ciphertext } },
        ],
        expectedRevision: 'no_stream' as const,
      })),
    );
  }
  await commands.endVoting({ electionId });
  return { electionId, ciphertexts };
}

export async function tallyBench(ballots = 2_000, opts: { databaseUrl?: string } = {}): Promise<BenchResult[]> {
  const db = opts.databaseUrl ? undefined : await createScratchPgDatabase();
  const sql = createPgClient(opts.databaseUrl ?? (db as { url: string }).url);
  const store = await createSqlEventStore(sql);
  const keyStore = await createSqlKeyStore(sql, randomBytes(32));
  const results: BenchResult[] = [];
  try {
    const one = await ballotElection(store, keyStore, ballots);
    const two = await ballotElection(store, keyStore, ballots);
    const counterPkcs8 = (await keyStore.get(keyNames.counter(one.electionId))) as Uint8Array;
    const authorityPkcs8 = (await keyStore.get(keyNames.authority(one.electionId))) as Uint8Array;
    const authoritySpki = new Uint8Array(rsaPublicKeyOf(privateKeyFromPkcs8(authorityPkcs8)).export({ format: 'der', type: 'spki' }));

    const counterKey = privateKeyFromPkcs8(counterPkcs8);
    let lastRawCpu = 0;
    // The raw limit, re-measured right before each figure: the load of a shared machine drifts.
    const rawNow = (threads: 1 | 2): BenchResult => {
      const r = rawRsaPrivateRate(counterKey);
      const result: BenchResult = {
        name: threads === 1 ? 'raw RSA-2048 private op, 1 thread' : 'raw RSA-2048 private op × 2 threads',
        rate: r.rate * threads,
        unit: 'ops',
        note: `${threads === 2 ? 'computed, ' : ''}${load()}`,
      };
      lastRawCpu = r.cpuRate;
      return result;
    };
    const first = rawNow(1);
    results.push(first);
    results.push({ name: 'raw RSA-2048 private op, 1 thread, CPU time', rate: lastRawCpu, unit: 'ops/CPU' });
    const rawCpu: BenchResult = { name: 'raw private op per CPU-s', rate: lastRawCpu, unit: 'ops/CPU' };

    const poolWall: number[] = [];
    for (const workers of [1, 2] as const) {
      const pool = await createTallyPool({ electionId: one.electionId, size: workers, counterPrivateKeyPkcs8: new Uint8Array(counterPkcs8), authorityPublicKeySpki: authoritySpki });
      try {
        await pool.open(one.ciphertexts.slice(0, 64)); // warm-up
        const raw = rawNow(workers);
        const m = await measureBoth(async () => {
          const chunks: Promise<unknown>[] = [];
          for (let i = 0; i < one.ciphertexts.length; i += 256) chunks.push(pool.open(one.ciphertexts.slice(i, i + 256)));
          await Promise.all(chunks);
          return one.ciphertexts.length;
        });
        poolWall.push(m.rate);
        const label = `${workers} worker${workers > 1 ? 's' : ''}`;
        results.push(against({ name: `tally pool open, ${label}`, rate: m.rate, unit: 'ballots', note: load() }, raw));
        if (workers === 1) {
          results.push(against({ name: 'tally pool open, 1 worker, CPU time', rate: m.cpuRate, unit: 'ballots/CPU', note: 'per-worker efficiency, dispatch included' }, rawCpu));
        } else {
          const one1 = poolWall[0] as number;
          results.push({ name: 'tally pool open, scaling 1 → 2 workers', rate: m.rate, unit: 'ballots', against: { name: 'pool open, 1 worker', rate: one1, ratio: m.rate / one1 }, note: load() });
        }
      } finally {
        await pool.close();
      }
    }
    for (const [workers, election] of [[1, one], [2, two]] as const) {
      const raw = rawNow(workers);
      const m = await measureBoth(async () => {
        const r = await runTally({ store, keyStore, now: () => new Date() }, { electionId: election.electionId, workers });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.ballots;
      });
      const label = `${workers} worker${workers > 1 ? 's' : ''}`;
      results.push(against({ name: `tally run end to end, ${label}`, rate: m.rate, unit: 'ballots', note: `${ballots} ballots, ${m.seconds.toFixed(1)} s, ${load()}` }, raw));
      results.push(against({ name: `tally run end to end, ${label}, CPU time`, rate: m.cpuRate, unit: 'ballots/CPU', note: 'this process only: PostgreSQL not included' }, rawCpu));
    }
    return results;
  } finally {
    await store.close();
    await sql.close();
    await db?.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ballots = Number(process.argv[2] ?? 2_000);
  console.log(renderTable(await tallyBench(ballots)));
}
