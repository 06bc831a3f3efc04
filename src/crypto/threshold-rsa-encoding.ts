/** Threshold RSA's JSON forms, one spelling per value; parsing names the bad field, never a value (docs/trustees.md). */
import { bigIntToBytes, bitLength, bytesToBigInt, fromBase64url, gcd, toBase64url } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';

/** What everybody may know: the modulus, e, the threshold k of l trustees and the verification keys. */
export interface ThresholdParams {
  n: bigint;
  e: bigint;
  k: number;
  l: number;
  /** A random square mod n, the base of the verification keys. */
  v: bigint;
  /** vi[i - 1] = v^(s_i) mod n for trustee i. */
  vi: bigint[];
}

/** Trustee `index`'s secret: s = f(index) mod m. */
export interface TrusteeShare {
  index: number;
  s: bigint;
}

/** x = c^(2Δs) mod n and the proof that log_{c^(4Δ)} x² = log_v v_index. */
export interface PartialDecryption {
  index: number;
  x: bigint;
  proof: { c: bigint; z: bigint };
}

/** A partial decryption's value without its proof (batched proofs carry one proof per batch). */
export type PartialValue = Pick<PartialDecryption, 'index' | 'x'>;

/** A Shoup proof (c', z): one per partial, or one per batch (threshold-rsa-batch.ts). */
export type LogEqualityProof = PartialDecryption['proof'];

export const THRESHOLD_E = 65537n;
/** Trustees at most: Δ = l! stays small and every index is far below p' and q'. */
export const MAX_TRUSTEES = 64;
export const CHALLENGE_BITS = 128;
export const THRESHOLD_SCHEME = 'shoup-threshold-rsa/v1';
const MAX_MODULUS_BYTES = 1024;

export interface EncodedThresholdParams {
  scheme: typeof THRESHOLD_SCHEME;
  n: string;
  e: string;
  k: number;
  l: number;
  v: string;
  vi: string[];
}

export interface EncodedShare {
  index: number;
  s: string;
}

export interface EncodedPartial {
  index: number;
  x: string;
  proof: { c: string; z: string };
}

function modulusBytes(n: bigint): number {
  return Math.ceil(bitLength(n) / 8);
}

const integer = (x: bigint): string => toBase64url(bigIntToBytes(x, modulusBytes(x)));
const element = (x: bigint, n: bigint): string => toBase64url(bigIntToBytes(x, modulusBytes(n)));

export function encodeThresholdParams(p: ThresholdParams): EncodedThresholdParams {
  return { scheme: THRESHOLD_SCHEME, n: integer(p.n), e: integer(p.e), k: p.k, l: p.l, v: element(p.v, p.n), vi: p.vi.map((x) => element(x, p.n)) };
}

export function encodeShare(share: TrusteeShare): EncodedShare {
  return { index: share.index, s: integer(share.s) };
}

export function encodePartial(params: ThresholdParams, partial: PartialDecryption): EncodedPartial {
  return { index: partial.index, x: element(partial.x, params.n), proof: { c: integer(partial.proof.c), z: integer(partial.proof.z) } };
}

export function encodePartialValue(params: ThresholdParams, partial: PartialValue): { index: number; x: string } {
  return { index: partial.index, x: element(partial.x, params.n) };
}

export function encodeProof(proof: LogEqualityProof): { c: string; z: string } {
  return { c: integer(proof.c), z: integer(proof.z) };
}

class Malformed extends Error {}

function record(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed(`${field} is not an object`);
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) throw new Malformed(`${field} has an unknown field`);
  return value as Record<string, unknown>;
}

/** Minimal big-endian bytes (no leading zero byte; zero is the empty string), at most maxBytes. */
function readInteger(value: unknown, field: string, maxBytes: number): bigint {
  const bytes = typeof value === 'string' ? fromBase64url(value) : undefined;
  if (!bytes || bytes.length > maxBytes || bytes[0] === 0) throw new Malformed(`${field} is not a canonical base64url integer`);
  return bytesToBigInt(bytes);
}

/** Exactly len(n) bytes, a unit of Z_n (a non-unit would reveal a factor of n) unless checkUnit is false. */
function readElement(value: unknown, field: string, n: bigint, checkUnit = true): bigint {
  const bytes = typeof value === 'string' ? fromBase64url(value) : undefined;
  if (!bytes || bytes.length !== modulusBytes(n)) throw new Malformed(`${field} is not ${modulusBytes(n)} base64url bytes`);
  const x = bytesToBigInt(bytes);
  if (x === 0n || x >= n || (checkUnit && gcd(x, n) !== 1n)) throw new Malformed(`${field} is not a unit below n`);
  return x;
}

/** Index of the first non-unit mod n, or -1: one gcd of the product when all are units (the usual case). */
export function firstNonUnit(xs: readonly bigint[], n: bigint): number {
  if (gcd(xs.reduce((acc, x) => (acc * x) % n, 1n), n) === 1n) return -1;
  return xs.findIndex((x) => gcd(x, n) !== 1n);
}

function readCount(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new Malformed(`${field} is not an integer in ${min}..${max}`);
  return value;
}

function parsing<T>(read: () => T): CryptoResult<T> {
  try {
    return ok(read());
  } catch (err) {
    if (err instanceof Malformed) return fail('MALFORMED_THRESHOLD_DATA', err.message);
    throw err;
  }
}

export function parseThresholdParams(value: unknown): CryptoResult<ThresholdParams> {
  return parsing(() => {
    const r = record(value, 'params', ['scheme', 'n', 'e', 'k', 'l', 'v', 'vi']);
    if (r.scheme !== THRESHOLD_SCHEME) throw new Malformed(`params.scheme is not ${THRESHOLD_SCHEME}`);
    const n = readInteger(r.n, 'params.n', MAX_MODULUS_BYTES);
    if (n < 15n || (n & 1n) === 0n) throw new Malformed('params.n is not an odd modulus');
    const e = readInteger(r.e, 'params.e', 8);
    if (e !== THRESHOLD_E) throw new Malformed('params.e is not 65537');
    const l = readCount(r.l, 'params.l', 1, MAX_TRUSTEES);
    const k = readCount(r.k, 'params.k', 1, l);
    const v = readElement(r.v, 'params.v', n);
    if (!Array.isArray(r.vi) || r.vi.length !== l) throw new Malformed('params.vi is not a list of l keys');
    const vi = r.vi.map((x: unknown, i) => readElement(x, `params.vi[${i}]`, n));
    return { n, e, k, l, v, vi };
  });
}

export function parseShare(value: unknown): CryptoResult<TrusteeShare> {
  return parsing(() => {
    const r = record(value, 'share', ['index', 's']);
    return { index: readCount(r.index, 'share.index', 1, MAX_TRUSTEES), s: readInteger(r.s, 'share.s', MAX_MODULUS_BYTES) };
  });
}

/**
 * A partial decryption under `params`: index among its trustees, x a unit below n, proof sizes bounded.
 * `checkUnit: false` leaves x's unit check to the caller (firstNonUnit over a batch, or the combination).
 */
export function parsePartial(params: ThresholdParams, value: unknown, opts: { checkUnit: boolean } = { checkUnit: true }): CryptoResult<PartialDecryption> {
  return parsing(() => {
    const r = record(value, 'partial', ['index', 'x', 'proof']);
    const proof = record(r.proof, 'partial.proof', ['c', 'z']);
    return {
      index: readCount(r.index, 'partial.index', 1, params.l),
      x: readElement(r.x, 'partial.x', params.n, opts.checkUnit),
      proof: readProof(params, proof, 'partial.proof'),
    };
  });
}

function readProof(params: ThresholdParams, proof: Record<string, unknown>, field: string): LogEqualityProof {
  return { c: readInteger(proof.c, `${field}.c`, CHALLENGE_BITS / 8), z: readInteger(proof.z, `${field}.z`, modulusBytes(params.n) + CHALLENGE_BITS / 4 + 1) };
}

/** A partial's value { index, x } under `params` (parsePartial without the proof). */
export function parsePartialValue(params: ThresholdParams, value: unknown, opts: { checkUnit: boolean } = { checkUnit: true }): CryptoResult<PartialValue> {
  return parsing(() => {
    const r = record(value, 'partial', ['index', 'x']);
    return { index: readCount(r.index, 'partial.index', 1, params.l), x: readElement(r.x, 'partial.x', params.n, opts.checkUnit) };
  });
}

/** A proof { c, z } with bounded sizes (a batch's, whose statement the verifier rebuilds). */
export function parseProof(params: ThresholdParams, value: unknown): CryptoResult<LogEqualityProof> {
  return parsing(() => readProof(params, record(value, 'proof', ['c', 'z']), 'proof'));
}
