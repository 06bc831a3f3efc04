/**
 * The worker's hot path, checked against independent definitions: the strict base64url decoder
 * (canonical check without re-encoding) against "re-encodes to the same text", the hand-written HKDF
 * and the cached AAD against node's hkdfSync + AES-GCM, the byte-wise modulus check against bigint,
 * and the pool's benchmark hooks (per-thread CPU, raw probe) on real worker threads.
 */
import { constants, createDecipheriv, createPublicKey, generateKeyPairSync, hkdfSync, randomUUID, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToBigInt, fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { decodeBallotCiphertext, encryptBallotToText, BALLOT_KDF_INFO } from '../../src/crypto/ballot-encryption.ts';
import { isBelowModulus, rsaPublicNumbers } from '../../src/crypto/rsa.ts';
import { prepare, RSABSSA_SALT_BYTES } from '../../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { openBallot } from '../../src/tally/open-ballot.ts';
import { createTallyPool } from '../../src/tally/pool.ts';

/** The definition the fast decoder must keep: Buffer's decoding, accepted only if it re-encodes to the same text. */
function referenceFromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return Buffer.from(bytes).toString('base64url') === text ? bytes : undefined;
}

const counter = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const authority = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });

/** A signed ballot; `messageElectionId` and `commitment` override what the message says. */
function ballot(electionId: string, choice: string, over: { messageElectionId?: string; commitment?: string } = {}): { ciphertext: string; commitment: string } {
  const commitment = over.commitment ?? n2Commitment(issueTokens().n2, newN2Salt());
  const prepared = prepare(encodeBallotMessage({ electionId: over.messageElectionId ?? electionId, choice, n2Commitment: commitment }));
  const signature = sign('sha384', prepared, { key: authority.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES });
  const plaintext = encodeBallotPlaintext({ preparedMessage: prepared, signature: new Uint8Array(signature) });
  return { ciphertext: encryptBallotToText(counter.publicKey, electionId, plaintext), commitment };
}

describe('fromBase64url (canonical check without re-encoding)', () => {
  it('agrees with the re-encoding definition on every string of up to 4 characters over a mixed alphabet', () => {
    // A B C E I Q g: every bit of a character value set alone; then mixed values, '-' '_' and non-alphabet characters.
    const alphabet = ['A', 'B', 'C', 'E', 'I', 'Q', 'g', 'P', 'w', '9', '-', '_', '=', '+', '/', ' ', 'é'];
    let strings = [''];
    for (let len = 1; len <= 4; len++) {
      strings = strings.flatMap((s) => (s.length === len - 1 ? [s, ...alphabet.map((c) => s + c)] : [s]));
    }
    expect(strings.length).toBeGreaterThan(50_000);
    for (const s of strings) expect(fromBase64url(s), JSON.stringify(s)).toEqual(referenceFromBase64url(s));
  });

  it('agrees on real ciphertexts and on each of them with its last character changed or cut', () => {
    const electionId = randomUUID();
    for (let i = 0; i < 20; i++) {
      const { ciphertext } = ballot(electionId, 'Yes');
      for (const text of [ciphertext, ciphertext.slice(0, -1), ciphertext.slice(0, -2), ciphertext.slice(0, -1) + 'B', ciphertext.slice(0, -1) + '_']) {
        expect(fromBase64url(text)).toEqual(referenceFromBase64url(text));
      }
    }
  });
});

describe('isBelowModulus', () => {
  it('matches the bigint comparison at n - 1, n and n + 1, and refuses other lengths', () => {
    const numbers = rsaPublicNumbers(counter.publicKey);
    const at = (x: bigint) => isBelowModulus(numbers, bigIntToBytes(x, numbers.modulusBytes));
    expect(at(numbers.n - 1n)).toBe(true);
    expect(at(numbers.n)).toBe(false);
    expect(at(numbers.n + 1n)).toBe(false);
    expect(at(0n)).toBe(true);
    expect(isBelowModulus(numbers, new Uint8Array(numbers.modulusBytes - 1))).toBe(false);
  });
});

describe('openBallot', () => {
  it('reveals the r that opens the ballot with an independent HKDF (hkdfSync) and AES-GCM, and reads the ballot', () => {
    const electionId = randomUUID();
    const keys = { electionId, counterPrivateKey: counter.privateKey, authorityPublicKey: createPublicKey(authority.privateKey) };
    for (const choice of ['Yes', 'No']) {
      const { ciphertext, commitment } = ballot(electionId, choice);
      const opened = openBallot(keys, ciphertext);
      expect(opened).toEqual({ kind: 'opened', revealedR: expect.any(String), choice, n2Commitment: commitment, signatureValid: true });
      const r = fromBase64url(opened.revealedR as string) as Uint8Array;
      const numbers = rsaPublicNumbers(counter.publicKey);
      const c = (decodeBallotCiphertext(ciphertext) as { ok: true; value: { c0: Uint8Array; nonce: Uint8Array; sealed: Uint8Array } }).value;
      // r^e mod n = c0 with bigint arithmetic, not OpenSSL.
      let x = 1n;
      for (let i = 0; i < 17; i++) x = i === 0 ? bytesToBigInt(r) : (x * x) % numbers.n;
      expect(toBase64url(bigIntToBytes((x * bytesToBigInt(r)) % numbers.n, numbers.modulusBytes))).toBe(toBase64url(c.c0));
      const key = Buffer.from(hkdfSync('sha256', r, new Uint8Array(0), Buffer.from(BALLOT_KDF_INFO + electionId), 32));
      const decipher = createDecipheriv('aes-256-gcm', key, c.nonce, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(electionId));
      decipher.setAuthTag(c.sealed.subarray(c.sealed.length - 16));
      expect(() => Buffer.concat([decipher.update(c.sealed.subarray(0, c.sealed.length - 16)), decipher.final()])).not.toThrow();
    }
  });

  it('reads a signed message naming another election, or with a malformed commitment, as undecryptable (r still revealed)', () => {
    const electionId = randomUUID();
    const keys = { electionId, counterPrivateKey: counter.privateKey, authorityPublicKey: createPublicKey(authority.privateKey) };
    const other = ballot(electionId, 'Yes', { messageElectionId: randomUUID() });
    expect(openBallot(keys, other.ciphertext)).toEqual({ kind: 'undecryptable', revealedR: expect.any(String), choice: 'Yes', n2Commitment: other.commitment });
    // Upper-case hex, one digit short, N2 itself: none is a commitment, and none is published.
    for (const commitment of [other.commitment.toUpperCase(), other.commitment.slice(1), issueTokens().n2]) {
      expect(openBallot(keys, ballot(electionId, 'No', { commitment }).ciphertext)).toEqual({
        kind: 'undecryptable',
        revealedR: expect.any(String),
        choice: 'No',
        n2Commitment: null,
      });
    }
  });

  it('switches its cached election bytes when ballots of two elections alternate', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const keysOf = (electionId: string) => ({ electionId, counterPrivateKey: counter.privateKey, authorityPublicKey: createPublicKey(authority.privateKey) });
    for (let i = 0; i < 3; i++) {
      expect(openBallot(keysOf(a), ballot(a, 'Yes').ciphertext).kind).toBe('opened');
      expect(openBallot(keysOf(b), ballot(b, 'No').ciphertext).kind).toBe('opened');
      // A ballot of b opened as a ballot of a: its key and AAD differ, so it does not open.
      expect(openBallot(keysOf(a), ballot(b, 'No').ciphertext).kind).toBe('undecryptable');
    }
  });
});

describe('the pool measurement hooks (benchmarks)', () => {
  it('reports per-worker ballots and thread CPU, and runs raw probes in every worker at once', async () => {
    const electionId = randomUUID();
    const pool = await createTallyPool({
      electionId,
      size: 2,
      measureCpu: true,
      counterPrivateKeyPkcs8: new Uint8Array(counter.privateKey.export({ format: 'der', type: 'pkcs8' })),
      authorityPublicKeySpki: new Uint8Array(authority.publicKey.export({ format: 'der', type: 'spki' })),
    });
    try {
      const ciphertexts = Array.from({ length: 8 }, (_, i) => ballot(electionId, i % 2 ? 'Yes' : 'No').ciphertext);
      const opened = await Promise.all([pool.open(ciphertexts.slice(0, 4)), pool.open(ciphertexts.slice(4))]);
      expect(opened.flat().map((o) => o.kind)).toEqual(Array(8).fill('opened'));
      const work = pool.work();
      expect(work.reduce((sum, w) => sum + w.ballots, 0)).toBe(8);
      // A few ballots take less than a scheduler tick: the thread clock is there, maybe still at 0.
      for (const w of work) if (w.ballots > 0) expect(w.cpuSeconds).toBeGreaterThanOrEqual(0);
      const probes = await pool.probeRaw(50);
      expect(probes).toHaveLength(2);
      for (const p of probes) {
        expect(p.ops).toBeGreaterThanOrEqual(64);
        expect(p.seconds).toBeGreaterThan(0);
        expect(p.cpuSeconds).toBeGreaterThan(0);
      }
      // Raw probes count as no ballots.
      expect(pool.work().reduce((sum, w) => sum + w.ballots, 0)).toBe(8);
    } finally {
      await pool.close();
    }
  });

  it('refuses raw probes on a pool made for a real tally (no measureCpu)', async () => {
    const pool = await createTallyPool({
      electionId: randomUUID(),
      size: 1,
      counterPrivateKeyPkcs8: new Uint8Array(counter.privateKey.export({ format: 'der', type: 'pkcs8' })),
      authorityPublicKeySpki: new Uint8Array(authority.publicKey.export({ format: 'der', type: 'spki' })),
    });
    try {
      await expect(pool.probeRaw(10)).rejects.toThrow(/measureCpu/);
      expect(pool.work()).toEqual([{ ballots: 0, cpuSeconds: undefined }]);
    } finally {
      await pool.close();
    }
  });
});
