import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { spawnSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, verify as nodeVerify, webcrypto, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blind, blindSign, finalize, prepare, verify } from '../../src/crypto/blind-rsa.ts';
import { bigIntToBytes, bytesToBigInt, fromBase64url, fromHex, modInverse, toBase64url, toHex } from '../../src/crypto/bytes.ts';
import { emsaPssEncodeSha384 } from '../../src/crypto/emsa-pss.ts';
import { generateRsaKeyPair, rsaPrivateKeyFromPrimes, rsaPublicKeyOf, rsaPublicNumbers, type RsaKeyPair } from '../../src/crypto/rsa.ts';
import { loadVectors } from './load-vectors.ts';

interface Rfc9474Vector {
  p: string; q: string; d: string; e: string; n: string; msg: string; msg_prefix: string; prepared_msg: string;
  salt: string; inv: string; blinded_msg: string; blind_sig: string; sig: string;
}
const v = loadVectors<Rfc9474Vector>('rfc9474-rsabssa-sha384-pss-randomized.json');
const big = (hex: string): bigint => BigInt('0x' + hex);

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}`);
  return result.value;
}

/** A full client/server round trip with our code; returns the prepared message and signature. */
function signBlindly(keys: RsaKeyPair, message: Uint8Array): { prepared: Uint8Array; signature: Uint8Array } {
  const prepared = prepare(message);
  const { blindedMessage, inv } = unwrap(blind(keys.publicKey, prepared));
  const blindSignature = unwrap(blindSign(keys.privateKey, blindedMessage));
  return { prepared, signature: unwrap(finalize(keys.publicKey, prepared, blindSignature, inv)) };
}

function toCryptoKey(key: KeyObject, usage: 'verify'): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('jwk', rsaPublicKeyOf(key).export({ format: 'jwk' }), { name: 'RSA-PSS', hash: 'SHA-384' }, true, [usage]);
}

const oracle = RSABSSA.SHA384.PSS.Randomized();
const message = new TextEncoder().encode('evote ballot message');

describe('RSABSSA-SHA384-PSS-Randomized against RFC 9474 Appendix A', () => {
  const privateKey = rsaPrivateKeyFromPrimes(big(v.p), big(v.q), big(v.e), big(v.d));
  const publicKey = rsaPublicKeyOf(privateKey);

  it('the transcribed key is consistent (p*q = n, 4096 bits)', () => {
    const numbers = rsaPublicNumbers(publicKey);
    expect(numbers.n).toBe(big(v.n));
    expect(numbers.modulusBits).toBe(4096);
  });

  it('prepare, blind, blindSign, finalize reproduce every published value byte for byte', () => {
    const prepared = prepare(fromHex(v.msg), fromHex(v.msg_prefix));
    expect(toHex(prepared)).toBe(v.prepared_msg);
    const r = modInverse(big(v.inv), big(v.n))!;
    const { blindedMessage, inv } = unwrap(blind(publicKey, prepared, { salt: fromHex(v.salt), r }));
    expect(toHex(blindedMessage)).toBe(v.blinded_msg);
    expect(toHex(inv)).toBe(v.inv);
    const blindSignature = unwrap(blindSign(privateKey, blindedMessage));
    expect(toHex(blindSignature)).toBe(v.blind_sig);
    const signature = unwrap(finalize(publicKey, prepared, blindSignature, inv));
    expect(toHex(signature)).toBe(v.sig);
    expect(verify(publicKey, prepared, signature)).toBe(true);
  });

  it('the published signature verifies with the blindrsa-ts oracle too', async () => {
    expect(await oracle.verify(await toCryptoKey(publicKey, 'verify'), fromHex(v.sig), fromHex(v.prepared_msg))).toBe(true);
  });

  it('the signature is over the prepared message, not the bare message', () => {
    expect(verify(publicKey, fromHex(v.msg), fromHex(v.sig))).toBe(false);
  });
});

describe('blind signatures with a fresh RSA-2048 key', () => {
  let keys: RsaKeyPair;
  beforeAll(() => {
    keys = generateRsaKeyPair(2048);
  });

  it('a valid signature verifies', () => {
    const { prepared, signature } = signBlindly(keys, message);
    expect(signature).toHaveLength(256);
    expect(verify(keys.publicKey, prepared, signature)).toBe(true);
  });

  it('different messages give different signatures, each valid only for its own message', () => {
    const a = signBlindly(keys, message);
    const b = signBlindly(keys, new TextEncoder().encode('another ballot message'));
    expect(toHex(a.signature)).not.toBe(toHex(b.signature));
    expect(verify(keys.publicKey, a.prepared, b.signature)).toBe(false);
    expect(verify(keys.publicKey, b.prepared, a.signature)).toBe(false);
  });

  it('a tampered signature or a tampered message fails', () => {
    const { prepared, signature } = signBlindly(keys, message);
    for (const index of [0, 100, 255]) {
      const badSig = Uint8Array.from(signature);
      badSig[index] = (badSig[index] ?? 0) ^ 0x01;
      expect(verify(keys.publicKey, prepared, badSig)).toBe(false);
    }
    const badMsg = Uint8Array.from(prepared);
    badMsg[prepared.length - 1] = (badMsg[prepared.length - 1] ?? 0) ^ 0x01;
    expect(verify(keys.publicKey, badMsg, signature)).toBe(false);
    const otherPrefix = Uint8Array.from(prepared);
    otherPrefix[0] = (otherPrefix[0] ?? 0) ^ 0x80;
    expect(verify(keys.publicKey, otherPrefix, signature)).toBe(false);
    expect(verify(generateRsaKeyPair(2048).publicKey, prepared, signature)).toBe(false);
    expect(verify(keys.publicKey, prepared, signature.subarray(1))).toBe(false);
  });

  it('refuses a signature one byte short even when it is the same number (a leading zero dropped)', () => {
    // About one signature in 256 starts with a zero byte; OpenSSL alone accepts it without that byte.
    let found: { prepared: Uint8Array; signature: Uint8Array } | undefined;
    for (let i = 0; i < 4_000 && !found; i++) {
      const signed = signBlindly(keys, message);
      if (signed.signature[0] === 0) found = signed;
    }
    expect(found).toBeDefined();
    const { prepared, signature } = found!;
    expect(verify(keys.publicKey, prepared, signature)).toBe(true);
    expect(nodeVerify('sha384', prepared, { key: keys.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature.subarray(1))).toBe(true);
    expect(verify(keys.publicKey, prepared, signature.subarray(1))).toBe(false);
  });

  it('the blinded message differs from the message and from its PSS encoding', () => {
    const prepared = prepare(message);
    const salt = new Uint8Array(48).fill(7);
    const { blindedMessage } = unwrap(blind(keys.publicKey, prepared, { salt }));
    const encoded = emsaPssEncodeSha384(prepared, 2047, salt)!;
    expect(toHex(blindedMessage)).not.toBe(toHex(bigIntToBytes(bytesToBigInt(encoded), 256)));
    expect(toHex(blindedMessage)).not.toContain(toHex(message));
    // The signer sees only the blinded value: its blind signature is not a signature on the message.
    const blindSignature = unwrap(blindSign(keys.privateKey, blindedMessage));
    expect(verify(keys.publicKey, prepared, blindSignature)).toBe(false);
  });

  it('the same message blinded twice gives different blinded messages (and different prefixes)', () => {
    const p1 = prepare(message);
    const p2 = prepare(message);
    expect(toHex(p1)).not.toBe(toHex(p2));
    const b1 = unwrap(blind(keys.publicKey, p1));
    const b2 = unwrap(blind(keys.publicKey, p1));
    expect(toHex(b1.blindedMessage)).not.toBe(toHex(b2.blindedMessage));
  });

  it('finalize refuses a wrong inverse or a blind signature from another key', () => {
    const prepared = prepare(message);
    const first = unwrap(blind(keys.publicKey, prepared));
    const second = unwrap(blind(keys.publicKey, prepared));
    const blindSignature = unwrap(blindSign(keys.privateKey, first.blindedMessage));
    const wrongInv = finalize(keys.publicKey, prepared, blindSignature, second.inv);
    expect(wrongInv.ok === false && wrongInv.error.code).toBe('INVALID_SIGNATURE');
    // Another key whose modulus is above the blinded message, so it signs rather than refusing the
    // input as out of range (another random 2048-bit modulus is sometimes below it).
    let other = generateRsaKeyPair(2048);
    while (Buffer.compare(first.blindedMessage, rsaPublicNumbers(other.publicKey).modulus) >= 0) other = generateRsaKeyPair(2048);
    const foreign = unwrap(blindSign(other.privateKey, first.blindedMessage));
    const foreignResult = finalize(keys.publicKey, prepared, foreign, first.inv);
    expect(foreignResult.ok === false && foreignResult.error.code).toBe('INVALID_SIGNATURE');
    const short = finalize(keys.publicKey, prepared, blindSignature.subarray(1), first.inv);
    expect(short.ok === false && short.error.code).toBe('INVALID_LENGTH');
  });

  it('blindSign refuses inputs of the wrong size or not below n, as values', () => {
    const wrongSize = blindSign(keys.privateKey, new Uint8Array(255));
    expect(wrongSize.ok === false && wrongSize.error.code).toBe('INVALID_LENGTH');
    const tooBig = blindSign(keys.privateKey, new Uint8Array(256).fill(0xff));
    expect(tooBig.ok === false && tooBig.error.code).toBe('MESSAGE_OUT_OF_RANGE');
  });

  it('blindSign withholds a faulty signature (s^e mod n != m) instead of returning it', () => {
    // A key with corrupted exponents stands in for a fault: OpenSSL recomputes without CRT when
    // only dp is wrong, so d is corrupted as well, and then only our check stands between the
    // wrong value and the client.
    const jwk = keys.privateKey.export({ format: 'jwk' });
    const bump = (b64: string, size: number): string => toBase64url(bigIntToBytes(bytesToBigInt(fromBase64url(b64)!) + 2n, size));
    const corrupted = createPrivateKey({ format: 'jwk', key: { ...jwk, dp: bump(jwk.dp!, 128), d: bump(jwk.d!, 256) } });
    const { blindedMessage } = unwrap(blind(keys.publicKey, prepare(message)));
    const result = blindSign(corrupted, blindedMessage);
    expect(result.ok === false && result.error).toEqual({ kind: 'CryptoError', code: 'SIGNING_FAILED', message: 'RSA signature self-check failed' });
  });

  it('interoperates with @cloudflare/blindrsa-ts: its client, our server', async () => {
    const publicCryptoKey = await toCryptoKey(keys.publicKey, 'verify');
    const prepared = oracle.prepare(message);
    const { blindedMsg, inv } = await oracle.blind(publicCryptoKey, prepared);
    const blindSignature = unwrap(blindSign(keys.privateKey, blindedMsg));
    const signature = await oracle.finalize(publicCryptoKey, prepared, blindSignature, inv);
    expect(verify(keys.publicKey, prepared, signature)).toBe(true);
  });

  it('interoperates with @cloudflare/blindrsa-ts: our client and server, its verifier', async () => {
    const { prepared, signature } = signBlindly(keys, message);
    expect(await oracle.verify(await toCryptoKey(keys.publicKey, 'verify'), signature, prepared)).toBe(true);
  });
});

describe("an unblinded signature verifies with OpenSSL's own CLI", () => {
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  const hasOpenssl = version.status === 0;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'evote-blindrsa-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function opensslVerify(publicKey: KeyObject, prepared: Uint8Array, signature: Uint8Array): { status: number | null; output: string } {
    writeFileSync(join(dir, 'pub.pem'), rsaPublicKeyOf(publicKey).export({ format: 'pem', type: 'spki' }));
    writeFileSync(join(dir, 'sig.bin'), signature);
    writeFileSync(join(dir, 'digest.bin'), createHash('sha384').update(prepared).digest());
    const run = spawnSync('openssl', [
      'pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-sigfile', 'sig.bin', '-in', 'digest.bin',
      '-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:48', '-pkeyopt', 'digest:sha384',
    ], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  it('openssl is installed', () => {
    expect(version.stdout).toMatch(/^OpenSSL \d/);
  });

  it.runIf(hasOpenssl)('accepts our blind signature (fresh 2048-bit key) and rejects a tampered one', () => {
    const keys = generateRsaKeyPair(2048);
    const { prepared, signature } = signBlindly(keys, message);
    const good = opensslVerify(keys.publicKey, prepared, signature);
    expect(good.output).toContain('Signature Verified Successfully');
    expect(good.status).toBe(0);
    const bad = Uint8Array.from(signature);
    bad[10] = (bad[10] ?? 0) ^ 0x04;
    const rejected = opensslVerify(keys.publicKey, prepared, bad);
    expect(rejected.status).not.toBe(0);
    expect(rejected.output).not.toContain('Signature Verified Successfully');
  });

  it.runIf(hasOpenssl)('accepts the RFC 9474 vector signature', () => {
    const publicKey = rsaPublicKeyOf(rsaPrivateKeyFromPrimes(big(v.p), big(v.q), big(v.e), big(v.d)));
    const result = opensslVerify(publicKey, fromHex(v.prepared_msg), fromHex(v.sig));
    expect(result.status).toBe(0);
  });
});
