/**
 * One Shoup proof for a batch of a trustee's partial decryptions, over a random linear combination
 * with 128-bit exponents ρ_j hashed from the batch (docs/trustees.md, "Batched proofs").
 */
import { hash } from 'node:crypto';
import { bigIntToBytes, bitLength, bytesToBigInt, concatBytes, lengthPrefixed, utf8 } from './bytes.ts';
import { modPowOpenSsl } from './openssl-modpow.ts';
import { CHALLENGE_BITS, checkLogEquality, deltaOf, proveLogEquality, type LogEquality, type ThresholdParams, type TrusteeShare } from './threshold-rsa.ts';

const BATCH_DOMAIN = utf8('evote/threshold-rsa/v1/batch-proof');
const RHO_DOMAIN = utf8('evote/threshold-rsa/v1/batch-rho');

/** x_j = c_j^(2Δs) for each c_j and one proof that log_{Π c_j^(4Δρ_j)} Π x_j^(2ρ_j) = log_v v_index. */
export interface BatchPartials {
  index: number;
  xs: bigint[];
  proof: { c: bigint; z: bigint };
}

/** ρ_j: 128 bits of SHA-256(seed ‖ j), seed a hash of n, the trustee, every c_j and every x_j. */
export function batchExponents(params: ThresholdParams, index: number, cs: readonly bigint[], xs: readonly bigint[]): { seed: bigint; rhos: bigint[] } {
  const bytes = Math.ceil(bitLength(params.n) / 8);
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, index);
  new DataView(head.buffer).setUint32(4, cs.length);
  const seedBytes = hash('sha256', concatBytes(...[RHO_DOMAIN, head, bigIntToBytes(params.n, bytes), ...cs.map((c) => bigIntToBytes(c, bytes)), ...xs.map((x) => bigIntToBytes(x, bytes))].map(lengthPrefixed)), 'buffer');
  const counter = Buffer.alloc(4);
  const rhos = cs.map((_, j) => {
    counter.writeUInt32BE(j);
    const digest = hash('sha256', Buffer.concat([seedBytes, counter]), 'buffer');
    return bytesToBigInt(new Uint8Array(digest.buffer, digest.byteOffset, CHALLENGE_BITS / 8));
  });
  return { seed: bytesToBigInt(new Uint8Array(seedBytes)), rhos };
}

function combinedBase(params: ThresholdParams, cs: readonly bigint[], rhos: readonly bigint[]): bigint {
  const four = 4n * deltaOf(params);
  return cs.reduce((acc, c, j) => (acc * modPowOpenSsl(c, four * (rhos[j] as bigint), params.n)) % params.n, 1n);
}

function statement(params: ThresholdParams, index: number, cs: readonly bigint[], xs: readonly bigint[]): { st: Omit<LogEquality, 'power'>; rhos: bigint[] } {
  const { seed, rhos } = batchExponents(params, index, cs, xs);
  return { st: { domain: BATCH_DOMAIN, index, bind: seed, base: combinedBase(params, cs, rhos) }, rhos };
}

/** The trustee's side: one full exponentiation per ciphertext, the combined power C^s once per batch. */
export function partialDecryptBatch(params: ThresholdParams, share: TrusteeShare, cs: readonly bigint[]): BatchPartials {
  const { n } = params;
  if (cs.length === 0) throw new RangeError('a batch needs at least one ciphertext');
  if (cs.some((c) => c < 0n || c >= n)) throw new RangeError('ciphertext is not below n');
  if (!Number.isInteger(share.index) || share.index < 1 || share.index > params.l) throw new RangeError('share index is not one of these trustees');
  const twoDelta = 2n * deltaOf(params);
  const xs = cs.map((c) => modPowOpenSsl(modPowOpenSsl(c, twoDelta, n), share.s, n));
  const { st } = statement(params, share.index, cs, xs);
  return { index: share.index, xs, proof: proveLogEquality(params, share.s, { ...st, power: modPowOpenSsl(st.base, share.s, n) }) };
}

/** True when (w.p. ≥ 1 − 2^-128 per ciphertext, BGR98) every x_j = ±c_j^(2Δ s_index). */
export function verifyPartialBatch(params: ThresholdParams, cs: readonly bigint[], batch: BatchPartials): boolean {
  const { n } = params;
  const { index, xs } = batch;
  if (!Number.isInteger(index) || index < 1 || index > params.l || cs.length === 0 || xs.length !== cs.length) return false;
  if (cs.some((c) => c < 0n || c >= n) || xs.some((x) => x <= 0n || x >= n)) return false;
  const { st, rhos } = statement(params, index, cs, xs);
  const power = xs.reduce((acc, x, j) => (acc * modPowOpenSsl(x, 2n * (rhos[j] as bigint), n)) % n, 1n);
  return checkLogEquality(params, { ...st, power }, batch.proof);
}
