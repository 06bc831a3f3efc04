/**
 * Threshold RSA for the counter key (docs/trustees.md): a trustee's partial decryptions (one thread
 * with per-ballot and batched proofs, and the pool, which uses batched proofs), their verification and the combination, next to the raw RSA-2048 private (CRT) and
 * public operations and the bare full-length exponentiation mod n, all measured in this run. The
 * one-thread figures are per second of this thread's CPU time, so their ratios hold on a loaded
 * machine; the pool's is wall time.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { bytesToBigInt } from '../src/crypto/bytes.ts';
import { modPowOpenSsl, modPowOpenSslConstantTime } from '../src/crypto/openssl-modpow.ts';
import { generateRsaKeyPair, rsaRawPrivate, rsaRawPublic } from '../src/crypto/rsa.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';
import { combinePartials, dealThresholdKey, partialDecrypt, verifyPartial, type TrusteeShare } from '../src/crypto/threshold-rsa.ts';
import { partialDecryptBatch, verifyPartialBatch } from '../src/crypto/threshold-rsa-batch.ts';
import { createPartialDecryptionPool } from '../src/tally/trustee-pool.ts';
import { against, type BenchResult } from './harness.ts';

const MS = 2_000;
/** Ciphertexts per batched proof (docs/trustees.md, "Batched proofs"). */
const BATCH = 64;

/** Calls of fn per second of this thread's CPU time (wall time where the kernel gives no thread clock). */
function opsPerCpuSecond(ms: number, fn: () => unknown): number {
  const cpu0 = threadCpuNanos();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  const cpu1 = threadCpuNanos();
  return n / (cpu0 === undefined || cpu1 === undefined ? (performance.now() - start) / 1000 : (cpu1 - cpu0) / 1e9);
}

function rawRsaOps(ms: number): [BenchResult, BenchResult] {
  const { publicKey, privateKey } = generateRsaKeyPair(2048);
  const x = new Uint8Array(randomBytes(256));
  x[0] = 0x01;
  return [
    { name: 'raw RSA-2048 private operations (CRT), per thread CPU-second', rate: opsPerCpuSecond(ms, () => rsaRawPrivate(privateKey, x)), unit: 'ops' },
    { name: 'raw RSA-2048 public operations (e = 65537), per thread CPU-second', rate: opsPerCpuSecond(ms, () => rsaRawPublic(publicKey, x)), unit: 'ops' },
  ];
}

export async function trusteeBench(poolCiphertexts = 400): Promise<BenchResult[]> {
  const t0 = performance.now();
  const { params, shares } = await dealThresholdKey({ bits: 2048, k: 2, l: 3 });
  const dealSeconds = (performance.now() - t0) / 1000;
  const share = shares[0] as TrusteeShare;
  const [rawPrivate, rawPublic] = rawRsaOps(MS);
  const { n } = params;
  const base = bytesToBigInt(new Uint8Array(randomBytes(255)));
  const exponent = bytesToBigInt(new Uint8Array(randomBytes(255)));
  const modexp: BenchResult = { name: 'raw 2040-bit exponentiation mod n, no CRT (OpenSSL RSA public path), per thread CPU-second', rate: opsPerCpuSecond(MS, () => modPowOpenSsl(base, exponent, n)), unit: 'ops' };
  const modexpDh: BenchResult = { name: 'raw 2040-bit exponentiation mod n, no CRT (OpenSSL DH path, constant time), per thread CPU-second', rate: opsPerCpuSecond(MS, () => modPowOpenSslConstantTime(base, exponent, n)), unit: 'ops' };

  const c = bytesToBigInt(new Uint8Array(randomBytes(255)));
  const one = opsPerCpuSecond(MS, () => partialDecrypt(params, share, c));
  const partials = shares.map((s) => partialDecrypt(params, s, c));
  const verify = opsPerCpuSecond(MS, () => verifyPartial(params, c, partials[1]!));
  const combine = opsPerCpuSecond(MS, () => combinePartials(params, c, [partials[2]!, partials[0]!]));
  const batchCs = Array.from({ length: BATCH }, () => bytesToBigInt(new Uint8Array(randomBytes(255))));
  const batchProve = BATCH * opsPerCpuSecond(MS, () => partialDecryptBatch(params, share, batchCs));
  const batch = partialDecryptBatch(params, share, batchCs);
  const batchVerify = BATCH * opsPerCpuSecond(MS, () => verifyPartialBatch(params, batchCs, batch));

  const threads = availableParallelism();
  const pool = await createPartialDecryptionPool({ threads });
  let poolRate: number;
  try {
    const cs = Array.from({ length: poolCiphertexts }, () => bytesToBigInt(new Uint8Array(randomBytes(255))));
    const start = performance.now();
    const done = await pool.decryptAll(params, share, cs);
    if (!done.ok) throw new Error(done.error.code);
    poolRate = poolCiphertexts / ((performance.now() - start) / 1000);
  } finally {
    await pool.close();
  }
  const note = `2-of-3, RSA-2048, dealt in ${dealSeconds.toFixed(1)} s`;
  return [
    rawPrivate,
    rawPublic,
    against(modexp, rawPrivate),
    against(modexpDh, rawPrivate),
    against({ name: 'trustee partial decryptions with proof, per thread CPU-second', rate: one, unit: 'ops', note }, rawPrivate),
    against({ name: `trustee partial decryptions, one proof per ${BATCH}, pool of ${threads} threads (wall)`, rate: poolRate, unit: 'ops', note: `${poolCiphertexts} ciphertexts, load ${loadavg()[0]?.toFixed(1)}` }, rawPrivate),
    against({ name: 'partial decryption proofs verified, per thread CPU-second', rate: verify, unit: 'ops' }, rawPrivate),
    against({ name: `trustee partial decryptions, one proof per ${BATCH}, per thread CPU-second`, rate: batchProve, unit: 'ops' }, modexp),
    against({ name: `partial decryptions verified, one proof per ${BATCH}, per thread CPU-second`, rate: batchVerify, unit: 'ops' }, modexp),
    against({ name: 'combinations of 2 partials (with the y^e = c check), per thread CPU-second', rate: combine, unit: 'ops' }, rawPublic),
  ];
}
