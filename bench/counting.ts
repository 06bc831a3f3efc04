/**
 * Counting time per method for N weighted ballots (bench/counting-ballots.ts) against the time to
 * decrypt N ballots in the same run: the tally pool opening real encrypted ballots on every core,
 * extrapolated to N, next to the raw RSA private operations; and the time to decode N ballots'
 * choice texts in each form (docs/methods.md "Cost").
 * Run alone: `npx tsx bench/counting.ts`; COUNTING_BALLOTS sets N (default 100,000).
 */
import { constants, sign } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { prepare, RSABSSA_SALT_BYTES } from '../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../src/crypto/ballot-plaintext.ts';
import { encryptBallotToText } from '../src/crypto/ballot-encryption.ts';
import { generateRsaKeyPair } from '../src/crypto/rsa.ts';
import { createTallyPool, type RawProbe, type TallyPool } from '../src/tally/pool.ts';
import { METHODS, type CountedMethod } from '../src/domain/counting/index.ts';
import { against, renderTable, type BenchResult } from './harness.ts';
import { rawRsaPrivateOps } from './ballots.ts';
import { countSet, generateBallots, type BallotSet } from './counting-ballots.ts';
import { choiceTexts, decodeAll } from './counting-decode.ts';

const ELECTION = 'bench-counting';
const CHUNK = 256;
const REPS = 5;
const BENCH_METHODS: readonly CountedMethod[] = METHODS.map((m) => m.method);

const load = () => `load ${loadavg()[0]?.toFixed(1)}`;
const ms = (seconds: number) => (seconds < 0.01 ? (seconds * 1000).toFixed(1) : (seconds * 1000).toFixed(0));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Real ballots as the booth builds them: a PSS-signed prepared message, encrypted to the counter's key. */
function encryptedBallots(count: number): { ciphertexts: string[]; counterPkcs8: Uint8Array; authoritySpki: Uint8Array } {
  const counter = generateRsaKeyPair(2048);
  const authority = generateRsaKeyPair(2048);
  const ciphertexts = Array.from({ length: count }, (_, i) => {
    const prepared = prepare(encodeBallotMessage({ electionId: ELECTION, choice: i % 2 ? 'Yes' : 'No', n2Commitment: i.toString(16).padStart(64, '0') }));
    const signature = new Uint8Array(sign('sha384', prepared, { key: authority.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES }));
    return encryptBallotToText(counter.publicKey, ELECTION, encodeBallotPlaintext({ preparedMessage: prepared, signature }));
  });
  return {
    ciphertexts,
    counterPkcs8: new Uint8Array(counter.privateKey.export({ format: 'der', type: 'pkcs8' })),
    authoritySpki: new Uint8Array(authority.publicKey.export({ format: 'der', type: 'spki' })),
  };
}

async function openAll(pool: TallyPool, ciphertexts: string[]): Promise<void> {
  const chunks: Promise<{ kind: string; signatureValid?: boolean }[]>[] = [];
  for (let i = 0; i < ciphertexts.length; i += CHUNK) chunks.push(pool.open(ciphertexts.slice(i, i + CHUNK)));
  const opened = (await Promise.all(chunks)).flat();
  if (opened.some((b) => b.kind !== 'opened' || b.signatureValid !== true)) throw new Error('a bench ballot did not open as valid');
}

const rateOf = (probe: RawProbe[]) => probe.reduce((sum, p) => sum + p.ops / p.seconds, 0);

/**
 * The pool's opening rate on `count` real ballots, every core, warm; the raw private ops of the
 * same workers at once, probed just before and after, are its limit.
 */
async function openingRate(count: number): Promise<{ opening: BenchResult; rawAll: BenchResult; workers: number }> {
  const { ciphertexts, counterPkcs8, authoritySpki } = encryptedBallots(count);
  const workers = availableParallelism();
  const pool = await createTallyPool({ electionId: ELECTION, size: workers, counterPrivateKeyPkcs8: counterPkcs8, authorityPublicKeySpki: authoritySpki, measureCpu: true });
  try {
    await openAll(pool, ciphertexts.slice(0, CHUNK * workers));
    const before = await pool.probeRaw(300);
    const t0 = performance.now();
    await openAll(pool, ciphertexts);
    const seconds = (performance.now() - t0) / 1000;
    const after = await pool.probeRaw(300);
    const rawAll: BenchResult = { name: `raw RSA-2048 private op, ${workers} tally workers at once`, rate: (rateOf(before) + rateOf(after)) / 2, unit: 'ops', note: 'probed before and after the opening' };
    const opening = against({ name: 'tally opening, all workers', rate: count / seconds, unit: 'ballots', note: `${count} real ballots on ${workers} workers, ${seconds.toFixed(1)} s, ${load()}` }, rawAll);
    return { opening, rawAll, workers };
  } finally {
    await pool.close();
  }
}

interface Timing {
  seconds: number;
  min: number;
  max: number;
}

/** The median wall time of REPS runs of `work` (the caller has warmed it up). */
function medianTime(work: () => unknown): Timing {
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    work();
    times.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(times), min: Math.min(...times), max: Math.max(...times) };
}

/** One warm-up count, then the median wall time of REPS counts, and the rounds the count recorded. */
export function timeCount(method: CountedMethod, set: BallotSet): Timing & { rounds: number; winners: readonly number[] } {
  const result = countSet(method, set);
  return { ...medianTime(() => countSet(method, set)), rounds: result.rounds.length, winners: result.winners };
}

export async function countingBench(ballots = Number(process.env.COUNTING_BALLOTS ?? 100_000), openBallots = 4_000): Promise<BenchResult[]> {
  const raw = rawRsaPrivateOps();
  const { opening, rawAll } = await openingRate(openBallots);
  const decryptSeconds = ballots / opening.rate;
  const label = ballots % 1000 === 0 ? `${ballots / 1000}k` : String(ballots);
  console.error(`  counting: decrypting ${label} ballots takes ${decryptSeconds.toFixed(1)} s at the measured opening rate`);
  const row = (name: string, t: Timing, extra: string): BenchResult => {
    const share = ((t.seconds / decryptSeconds) * 100).toPrecision(2);
    console.error(`  counting: ${name} ${ms(t.seconds)} ms = ${share} % of the ${label} decryption`);
    const note = `${ms(t.seconds)} ms, median of ${REPS} (${ms(t.min)}–${ms(t.max)}), ${share} % of decrypting ${label} (${decryptSeconds.toFixed(0)} s)${extra}; ${load()}`;
    return against({ name, rate: ballots / t.seconds, unit: 'ballots', note }, opening);
  };
  const set = generateBallots(ballots);
  const results: BenchResult[] = [raw, rawAll, opening];
  for (const method of BENCH_METHODS) {
    const t = timeCount(method, set);
    results.push(row(`count ${label} ballots, ${method}`, t, `; ${t.rounds} round${t.rounds > 1 ? 's' : ''}`));
  }
  for (const form of ['single', 'approval', 'ranked', 'graded'] as const) {
    const texts = choiceTexts(form, set);
    decodeAll(form, texts);
    results.push(row(`decode ${label} choice texts, ${form} form`, medianTime(() => decodeAll(form, texts)), ''));
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderTable(await countingBench()));
