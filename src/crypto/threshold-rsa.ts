/** Shoup's threshold RSA (Eurocrypt 2000) on the ballots' KEM value c0, k of l trustees: docs/trustees.md. */
import { createPublicKey, generatePrime, hash } from 'node:crypto';
import { bigIntToBytes, bitLength, bytesToBigInt, concatBytes, gcd, lengthPrefixed, mod, modInverse, randomBigIntInRange, utf8 } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { fixedBasePow, modPowOpenSsl } from './openssl-modpow.ts';

import { CHALLENGE_BITS, MAX_TRUSTEES, THRESHOLD_E, type PartialDecryption, type PartialValue, type ThresholdParams, type TrusteeShare } from './threshold-rsa-encoding.ts';

export {
  CHALLENGE_BITS,
  MAX_TRUSTEES,
  THRESHOLD_E,
  encodePartial,
  encodePartialValue,
  encodeProof,
  encodeShare,
  encodeThresholdParams,
  firstNonUnit,
  parsePartial,
  parsePartialValue,
  parseProof,
  parseShare,
  parseThresholdParams,
  type EncodedPartial,
  type EncodedShare,
  type EncodedThresholdParams,
  type LogEqualityProof,
  type PartialDecryption,
  type PartialValue,
  type ThresholdParams,
  type TrusteeShare,
} from './threshold-rsa-encoding.ts';

export interface DealtThresholdKey {
  /** The RSA public key (n, e) as SPKI DER, the same form as a single-key election's counter key. */
  publicKeySpki: Uint8Array;
  params: ThresholdParams;
  shares: TrusteeShare[];
}

const PROOF_DOMAIN = utf8('evote/threshold-rsa/v1/partial-proof');
/** A batch's 256-bit digest is bound whole even under a toy modulus (the same bytes for n ≥ 256 bits). */
const BIND_BYTES = 32;

function safePrime(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) => generatePrime(bits, { safe: true, bigint: true }, (err, prime) => (err ? reject(err) : resolve(prime))));
}

export function delta(l: number): bigint {
  let out = 1n;
  for (let i = 2n; i <= BigInt(l); i++) out *= i;
  return out;
}

function checkThreshold(k: number, l: number): void {
  if (!Number.isInteger(l) || l < 1 || l > MAX_TRUSTEES) throw new RangeError(`trustees must be 1..${MAX_TRUSTEES}`);
  if (!Number.isInteger(k) || k < 1 || k > l) throw new RangeError('threshold must be 1..trustees');
}

/** The offline ceremony's dealer; p, q, d, m are dropped on return (a BigInt cannot be zeroed: end the process). */
export async function dealThresholdKey(opts: { bits: 2048 | 3072 | number; k: number; l: number }): Promise<DealtThresholdKey> {
  checkThreshold(opts.k, opts.l);
  if (!Number.isInteger(opts.bits) || opts.bits < 1024 || opts.bits % 2 !== 0) throw new RangeError('bits must be an even number ≥ 1024');
  for (;;) {
    const [p, q] = await Promise.all([safePrime(opts.bits / 2), safePrime(opts.bits / 2)]);
    if (p !== q && bitLength(p * q) === opts.bits) return dealFromSafePrimes({ p, q, k: opts.k, l: opts.l });
  }
}

/** Dealing from given safe primes; f's a_1..a_(k-1) and v = vSeed² are random unless given (test vectors). */
export function dealFromSafePrimes(opts: { p: bigint; q: bigint; k: number; l: number; coefficients?: bigint[]; vSeed?: bigint }): DealtThresholdKey {
  const { p, q, k, l } = opts;
  checkThreshold(k, l);
  const n = p * q;
  const m = ((p - 1n) / 2n) * ((q - 1n) / 2n);
  const d = modInverse(THRESHOLD_E, m);
  if (d === undefined || p === q) throw new RangeError('primes unusable with e = 65537');
  if (BigInt(l) >= (p - 1n) / 2n || BigInt(l) >= (q - 1n) / 2n) throw new RangeError('too many trustees for these primes');
  const coefficients = opts.coefficients ?? Array.from({ length: k - 1 }, () => randomBigIntInRange(0n, m));
  if (coefficients.length !== k - 1) throw new RangeError('need k - 1 coefficients');
  const f = (i: bigint) => mod(coefficients.reduceRight((acc, a) => acc * i + a, 0n) * i + d, m);
  let vSeed = opts.vSeed;
  while (vSeed === undefined || gcd(vSeed, n) !== 1n) vSeed = randomBigIntInRange(2n, n - 1n);
  const v = mod(vSeed * vSeed, n);
  const shares = Array.from({ length: l }, (_, j) => ({ index: j + 1, s: f(BigInt(j + 1)) }));
  const params: ThresholdParams = { n, e: THRESHOLD_E, k, l, v, vi: shares.map((sh) => modPowOpenSsl(v, sh.s, n)) };
  return { publicKeySpki: rsaSpki(n, THRESHOLD_E), params, shares };
}

function rsaSpki(n: bigint, e: bigint): Uint8Array {
  const b64 = (x: bigint) => Buffer.from(bigIntToBytes(x, Math.ceil(bitLength(x) / 8))).toString('base64url');
  const der = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: b64(n), e: b64(e) } }).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
}

interface Prepared {
  delta: bigint;
  vPow: (exponent: bigint) => bigint;
  bytes: number;
}
const prepared = new WeakMap<ThresholdParams, Prepared>();

function prepare(params: ThresholdParams): Prepared {
  let out = prepared.get(params);
  if (!out) {
    out = { delta: delta(params.l), vPow: fixedBasePow(params.v, params.n), bytes: Math.ceil(bitLength(params.n) / 8) };
    prepared.set(params, out);
  }
  return out;
}

function challenge(params: ThresholdParams, bytes: number, domain: Uint8Array, index: number, c: bigint, values: bigint[]): bigint {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, index);
  const parts = [domain, head, bigIntToBytes(params.n, bytes), bigIntToBytes(c, Math.max(bytes, BIND_BYTES)), ...values.map((x) => bigIntToBytes(x, bytes))].map(lengthPrefixed);
  const digest = hash('sha256', concatBytes(...parts), 'buffer');
  return bytesToBigInt(new Uint8Array(digest.buffer, digest.byteOffset, CHALLENGE_BITS / 8));
}

/** Bits of the proof's random r: L(n) + 2·L1, so that z = s·c' + r hides s statistically. */
function nonceBits(n: bigint): number {
  return bitLength(n) + 2 * CHALLENGE_BITS;
}

/** What a Shoup proof shows: log_base power = log_v v_index, bound to `bind` (c, or a batch's digest). */
export interface LogEquality {
  domain: Uint8Array;
  index: number;
  bind: bigint;
  /** A square mod n (c^(4Δ), or a batch's product of such). */
  base: bigint;
  /** base^s: x² for one partial. */
  power: bigint;
}

/** Shoup's proof of LogEquality for trustee st.index's share s. */
export function proveLogEquality(params: ThresholdParams, s: bigint, st: LogEquality): { c: bigint; z: bigint } {
  const { vPow, bytes } = prepare(params);
  const r = randomBigIntInRange(0n, 1n << BigInt(nonceBits(params.n)));
  const ch = challenge(params, bytes, st.domain, st.index, st.bind, [params.v, st.base, params.vi[st.index - 1] as bigint, st.power, vPow(r), modPowOpenSsl(st.base, r, params.n)]);
  return { c: ch, z: s * ch + r };
}

export function checkLogEquality(params: ThresholdParams, st: LogEquality, proof: { c: bigint; z: bigint }): boolean {
  const { n } = params;
  if (proof.c < 0n || proof.c >> BigInt(CHALLENGE_BITS) !== 0n || proof.z < 0n || bitLength(proof.z) > nonceBits(n) + 1) return false;
  const { vPow, bytes } = prepare(params);
  const vi = params.vi[st.index - 1] as bigint;
  const viC = modPowOpenSsl(vi, proof.c, n);
  const powerC = modPowOpenSsl(st.power, proof.c, n);
  // One inverse for both: 1/A = B/(AB), 1/B = A/(AB).
  const inverse = modInverse((viC * powerC) % n, n);
  if (inverse === undefined) return false;
  const vR = (vPow(proof.z) * ((powerC * inverse) % n)) % n;
  const baseR = (modPowOpenSsl(st.base, proof.z, n) * ((viC * inverse) % n)) % n;
  return challenge(params, bytes, st.domain, st.index, st.bind, [params.v, st.base, vi, st.power, vR, baseR]) === proof.c;
}

/** Trustee `share.index`'s partial decryption of c (0 ≤ c < n, else RangeError) with its proof. */
export function partialDecrypt(params: ThresholdParams, share: TrusteeShare, c: bigint): PartialDecryption {
  const { n } = params;
  if (c < 0n || c >= n) throw new RangeError('ciphertext is not below n');
  if (!Number.isInteger(share.index) || share.index < 1 || share.index > params.l) throw new RangeError('share index is not one of these trustees');
  const c2 = modPowOpenSsl(c, 2n * prepare(params).delta, n);
  const x = modPowOpenSsl(c2, share.s, n);
  const proof = proveLogEquality(params, share.s, { domain: PROOF_DOMAIN, index: share.index, bind: c, base: (c2 * c2) % n, power: (x * x) % n });
  return { index: share.index, x, proof };
}

/** True when the proof shows x = c^(2Δ s_i) for trustee i's committed share (v_i). */
export function verifyPartial(params: ThresholdParams, c: bigint, partial: PartialDecryption): boolean {
  const { n } = params;
  const { index, x, proof } = partial;
  if (!Number.isInteger(index) || index < 1 || index > params.l || c < 0n || c >= n || x <= 0n || x >= n) return false;
  const base = modPowOpenSsl(c, 4n * prepare(params).delta, n);
  return checkLogEquality(params, { domain: PROOF_DOMAIN, index, bind: c, base, power: (x * x) % n }, proof);
}

/** Δ = l! for these parameters (cached). */
export function deltaOf(params: ThresholdParams): bigint {
  return prepare(params).delta;
}

/** Δ·λ_{0,j}: an integer. */
function lagrangeAtZero(d: bigint, indices: bigint[], j: bigint): bigint {
  let num = d;
  let den = 1n;
  for (const i of indices) {
    if (i === j) continue;
    num *= -i;
    den *= j - i;
  }
  return num / den;
}

/** a, b with a·x + b·y = gcd(x, y). */
function bezout(x: bigint, y: bigint): [bigint, bigint, bigint] {
  let [r0, r1, a0, a1, b0, b1] = [x, y, 1n, 0n, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, a0, a1, b0, b1] = [r1, r0 - q * r1, a1, a0 - q * a1, b1, b0 - q * b1];
  }
  return [r0, a0, b0];
}

/** y = top/bottom, the e-th root of c when the partials are honest. */
interface Fraction {
  top: bigint;
  bottom: bigint;
}

function fraction(params: ThresholdParams, c: bigint, partials: readonly PartialValue[]): CryptoResult<Fraction> {
  const { n, k, l, e } = params;
  if (c < 0n || c >= n) return fail('MESSAGE_OUT_OF_RANGE', 'ciphertext is not below n');
  const chosen = new Map<number, bigint>();
  for (const p of partials) {
    if (chosen.size === k) break;
    if (Number.isInteger(p.index) && p.index >= 1 && p.index <= l && !chosen.has(p.index) && p.x > 0n && p.x < n) chosen.set(p.index, p.x);
  }
  if (chosen.size < k) return fail('NOT_ENOUGH_SHARES', `${chosen.size} distinct trustees' partial decryptions, ${k} needed`);
  const d = prepare(params).delta;
  const indices = [...chosen.keys()].map(BigInt);
  // w = num/den with num the powers of positive Lagrange coefficients: one inverse per combination.
  let num = 1n;
  let den = 1n;
  for (const [index, x] of chosen) {
    const lambda = lagrangeAtZero(d, indices, BigInt(index));
    if (lambda >= 0n) num = (num * modPowOpenSsl(x, 2n * lambda, n)) % n;
    else den = (den * modPowOpenSsl(x, -2n * lambda, n)) % n;
  }
  const [g, a, b] = bezout(4n * d * d, e);
  if (g !== 1n) return fail('COMBINATION_FAILED', 'e shares a factor with 4Δ²');
  // a and b have opposite signs: y = w^a · c^b as one fraction.
  if (a >= 0n) return ok({ top: modPowOpenSsl(num, a, n), bottom: (modPowOpenSsl(den, a, n) * modPowOpenSsl(c, -b, n)) % n });
  return ok({ top: (modPowOpenSsl(den, -a, n) * modPowOpenSsl(c, b, n)) % n, bottom: modPowOpenSsl(num, -a, n) });
}

function rootOf(params: ThresholdParams, c: bigint, top: bigint, inverse: bigint | undefined): CryptoResult<bigint> {
  if (inverse === undefined) return fail('COMBINATION_FAILED', 'a partial decryption is not invertible mod n');
  const y = (top * inverse) % params.n;
  if (modPowOpenSsl(y, params.e, params.n) !== c) return fail('COMBINATION_FAILED', 'the partial decryptions do not combine to an e-th root of c');
  return ok(y);
}

/** c^d mod n from the first k distinct trustees' partials; COMBINATION_FAILED unless y^e = c. */
export function combinePartials(params: ThresholdParams, c: bigint, partials: readonly PartialValue[]): CryptoResult<bigint> {
  const f = fraction(params, c, partials);
  return f.ok ? rootOf(params, c, f.value.top, modInverse(f.value.bottom, params.n)) : f;
}

/**
 * Inverses mod n of all xs with one modular inverse (Montgomery's trick: 3 multiplications each);
 * undefined when their product is not a unit (the caller then inverts one by one).
 */
export function batchInverse(xs: readonly bigint[], n: bigint): bigint[] | undefined {
  const prefix: bigint[] = new Array<bigint>(xs.length);
  let acc = 1n;
  for (let i = 0; i < xs.length; i++) {
    prefix[i] = acc;
    acc = (acc * (xs[i] as bigint)) % n;
  }
  let inverse = modInverse(acc, n);
  if (inverse === undefined) return undefined;
  const out: bigint[] = new Array<bigint>(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = (inverse * (prefix[i] as bigint)) % n;
    inverse = (inverse * (xs[i] as bigint)) % n;
  }
  return out;
}

export interface CombinationWithFaults {
  result: CryptoResult<bigint>;
  /** Trustees whose partial decryption of c failed its proof (checked only when a combination failed). */
  faulty: number[];
}

/** The first k partials; only if they fail, every proof is checked and the invalid ones' trustees named. */
export function combineNamingFaults(params: ThresholdParams, c: bigint, partials: readonly PartialDecryption[]): CombinationWithFaults {
  const first = combinePartials(params, c, partials);
  if (first.ok || first.error.code !== 'COMBINATION_FAILED') return { result: first, faulty: [] };
  const valid = partials.filter((p) => verifyPartial(params, c, p));
  const faulty = [...new Set(partials.filter((p) => !valid.includes(p)).map((p) => p.index))].sort((a, b) => a - b);
  return { result: combinePartials(params, c, valid), faulty };
}

/** combineNamingFaults for many ciphertexts, the fractions' inverses batched (the tally's hot path). */
export function combineManyNamingFaults(params: ThresholdParams, cs: readonly bigint[], partials: readonly (readonly PartialDecryption[])[]): CombinationWithFaults[] {
  return combineMany(params, cs, partials).map((result, i) =>
    result.ok || result.error.code !== 'COMBINATION_FAILED' ? { result, faulty: [] } : combineNamingFaults(params, cs[i] as bigint, partials[i] ?? []),
  );
}

/** combinePartials for many ciphertexts, the fractions' inverses batched (the tally's hot path; no proofs). */
export function combineMany(params: ThresholdParams, cs: readonly bigint[], partials: readonly (readonly PartialValue[])[]): CryptoResult<bigint>[] {
  const fractions = cs.map((c, i) => fraction(params, c, partials[i] ?? []));
  const bottoms = fractions.map((f) => (f.ok ? f.value.bottom : 1n));
  const inverses = batchInverse(bottoms, params.n) ?? bottoms.map((b) => modInverse(b, params.n));
  return fractions.map((f, i) => (f.ok ? rootOf(params, cs[i] as bigint, f.value.top, inverses[i]) : f));
}
