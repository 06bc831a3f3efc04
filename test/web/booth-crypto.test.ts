/**
 * The booth's browser crypto (web/src/crypto, WebCrypto + BigInt) against the RFC 9474 vectors and
 * against the server's Node code: what the browser makes, the server's code must accept, byte for byte.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as web from '../../web/src/crypto/blind-rsa.ts';
import { importRsaPublicKey, type RsaPublicKey } from '../../web/src/crypto/rsa.ts';
import { ballotHash, encodeBallotPlaintext as webEncodePlaintext, encryptBallot as webEncryptBallot, n2Commitment as webN2Commitment, newN2Salt } from '../../web/src/crypto/ballot.ts';
import { electionFingerprint as webFingerprint, pinsOf, verifyCastReceipt as webVerifyCastReceipt } from '../../web/src/crypto/election.ts';
import { clientMac as webClientMac, generateX25519Pair, level3Proof, x25519SharedSecret as webX25519 } from '../../web/src/crypto/login.ts';
import { blindSign, verify as nodeVerify } from '../../src/crypto/blind-rsa.ts';
import { emsaPssEncodeSha384 } from '../../src/crypto/emsa-pss.ts';
import { emsaPssEncodeSha384Steps, runHashStepsAsync } from '../../src/crypto/emsa-pss-core.ts';
import { sha384 as webSha384 } from '../../web/src/crypto/webcrypto.ts';
import { fromBase64url, fromHex, modInverse, toBase64url, toHex } from '../../src/crypto/bytes.ts';
import { generateRsaKeyPair, rsaPrivateKeyFromPrimes, rsaPublicKeyOf, type RsaKeyPair } from '../../src/crypto/rsa.ts';
import { encodeBallotMessage } from '../../src/crypto/canonical.ts';
import { ballotMessageOf, decodeBallotPlaintext, encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { decryptBallot } from '../../src/crypto/ballot-encryption.ts';
import { n2Commitment } from '../../src/crypto/n2-commitment.ts';
import { electionFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { signCastReceipt } from '../../src/crypto/cast-receipt.ts';
import { clientMac } from '../../src/client/client-login.ts';
import { deriveSessionKey, sessionProof } from '../../src/auth/session-key.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../../src/crypto/x25519.ts';
import { loadVectors } from '../crypto/load-vectors.ts';

interface Rfc9474Vector {
  p: string; q: string; d: string; e: string; n: string; msg: string; msg_prefix: string; prepared_msg: string;
  salt: string; inv: string; blinded_msg: string; blind_sig: string; sig: string;
}
const v = loadVectors<Rfc9474Vector>('rfc9474-rsabssa-sha384-pss-randomized.json');
const big = (hex: string): bigint => BigInt('0x' + hex);
const spki = (key: KeyObject): string => toBase64url(new Uint8Array(rsaPublicKeyOf(key).export({ format: 'der', type: 'spki' })));

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}`);
  return result.value;
}

describe('RSABSSA-SHA384-PSS-Randomized in the browser code, RFC 9474 Appendix A', () => {
  const privateKey = rsaPrivateKeyFromPrimes(big(v.p), big(v.q), big(v.e), big(v.d));
  let pub: RsaPublicKey;
  beforeAll(async () => {
    pub = await importRsaPublicKey(spki(privateKey));
  });

  it('imports the 4096-bit key with the published n and e', () => {
    expect(pub.n).toBe(big(v.n));
    expect(pub.e).toBe(65537n);
    expect(pub.modulusBits).toBe(4096);
  });

  it('prepare and blind (randomness injected) reproduce prepared_msg, blinded_msg and inv; finalize gives sig', async () => {
    const prepared = web.prepare(fromHex(v.msg), fromHex(v.msg_prefix));
    expect(toHex(prepared)).toBe(v.prepared_msg);
    const { blindedMessage, inv } = await web.blind(pub, prepared, { salt: fromHex(v.salt), r: modInverse(big(v.inv), big(v.n))! });
    expect(toHex(blindedMessage)).toBe(v.blinded_msg);
    expect(toHex(inv)).toBe(v.inv);
    const signature = await web.finalize(pub, prepared, fromHex(v.blind_sig), inv);
    expect(toHex(signature)).toBe(v.sig);
    expect(await web.verify(pub, prepared, signature)).toBe(true);
    expect(await web.verify(pub, fromHex(v.msg), signature)).toBe(false);
  });

  it('finalize refuses a blind signature that does not verify', async () => {
    const prepared = fromHex(v.prepared_msg);
    const bad = fromHex(v.blind_sig);
    bad[100] = (bad[100] as number) ^ 1;
    await expect(web.finalize(pub, prepared, bad, fromHex(v.inv))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    await expect(web.finalize(pub, prepared, fromHex(v.blind_sig).subarray(1), fromHex(v.inv))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });
});

describe('the browser code against the server code', () => {
  let authority: RsaKeyPair;
  let counter: RsaKeyPair;
  let authorityPub: RsaPublicKey;
  let counterPub: RsaPublicKey;
  beforeAll(async () => {
    authority = generateRsaKeyPair(2048);
    counter = generateRsaKeyPair(2048);
    authorityPub = await importRsaPublicKey(spki(authority.publicKey));
    counterPub = await importRsaPublicKey(spki(counter.publicKey));
  });

  it('refuses keys that are not RSA SPKI of an allowed size, naming the key and not its value', async () => {
    await expect(importRsaPublicKey('not base64url!', 'ballot key')).rejects.toMatchObject({ code: 'INVALID_KEY', message: 'the ballot key is not base64url' });
    await expect(importRsaPublicKey(toBase64url(new Uint8Array(randomBytes(40))))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    await expect(importRsaPublicKey(spki(small))).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });

  it('EMSA-PSS steps driven by the async WebCrypto SHA-384 give the node:crypto encoding', async () => {
    for (let i = 0; i < 5; i++) {
      const msg = new Uint8Array(randomBytes(i * 37));
      const salt = new Uint8Array(randomBytes(48));
      for (const emBits of [2047, 4095]) {
        const steps = emsaPssEncodeSha384Steps(msg, emBits, salt);
        expect(toHex((await runHashStepsAsync(steps, webSha384))!)).toBe(toHex(emsaPssEncodeSha384(msg, emBits, salt)!));
      }
    }
    expect(await runHashStepsAsync(emsaPssEncodeSha384Steps(new Uint8Array(1), 8 * 97, new Uint8Array(48)), webSha384)).toBeUndefined();
  });

  it('browser blind, server blindSign, browser finalize: the server verifies the signature', async () => {
    for (let i = 0; i < 3; i++) {
      const prepared = web.prepare(encodeBallotMessage({ electionId: 'e1', choice: `Choice ${i}`, n2Commitment: 'ab'.repeat(32) }));
      const { blindedMessage, inv } = await web.blind(authorityPub, prepared);
      const blindSig = unwrap(blindSign(authority.privateKey, blindedMessage));
      const signature = await web.finalize(authorityPub, prepared, blindSig, inv);
      expect(nodeVerify(authority.publicKey, prepared, signature)).toBe(true);
      // A signature from another key is refused at finalize: nothing unverified is ever cast.
      await expect(web.finalize(counterPub, prepared, blindSig, inv)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    }
  });

  it('the ballot plaintext and N2 commitment are the same bytes', async () => {
    const plaintext = { preparedMessage: new Uint8Array(randomBytes(120)), signature: new Uint8Array(randomBytes(256)) };
    expect(toHex(webEncodePlaintext(plaintext))).toBe(toHex(encodeBallotPlaintext(plaintext)));
    for (let i = 0; i < 3; i++) {
      const n2 = toBase64url(new Uint8Array(randomBytes(16)));
      const salt = newN2Salt();
      expect(fromBase64url(salt)).toHaveLength(16);
      expect(await webN2Commitment(n2, salt)).toBe(n2Commitment(n2, salt));
    }
  });

  it("a ballot the browser encrypts opens with the tally's decryption, and its hash is the server's", async () => {
    const prepared = web.prepare(encodeBallotMessage({ electionId: 'elec-9', choice: 'Bob', n2Commitment: await webN2Commitment('A'.repeat(22), newN2Salt()) }));
    const { blindedMessage, inv } = await web.blind(authorityPub, prepared);
    const signature = await web.finalize(authorityPub, prepared, unwrap(blindSign(authority.privateKey, blindedMessage)), inv);
    const plaintext = webEncodePlaintext({ preparedMessage: prepared, signature });
    const r = 123456789n ** 20n;
    const ciphertext = await webEncryptBallot(counterPub, 'elec-9', plaintext, { r });
    expect(ciphertext[0]).toBe(1);
    expect(ciphertext.length).toBe(3 + 256 + 12 + plaintext.length + 16);
    const opened = unwrap(decryptBallot(counter.privateKey, ciphertext, 'elec-9'));
    expect(toHex(opened.plaintext)).toBe(toHex(plaintext));
    expect(BigInt('0x' + toHex(opened.r))).toBe(r);
    const decoded = unwrap(decodeBallotPlaintext(opened.plaintext));
    expect(nodeVerify(authority.publicKey, decoded.preparedMessage, decoded.signature)).toBe(true);
    expect(unwrap(ballotMessageOf(decoded.preparedMessage)).choice).toBe('Bob');
    expect(await ballotHash(ciphertext)).toBe(createHash('sha256').update(ciphertext).digest('hex'));
    // Bound to the election: the AAD and the KDF info carry its id.
    expect(decryptBallot(counter.privateKey, ciphertext, 'elec-8').ok).toBe(false);
    // Fresh randomness each time by default.
    const again = await webEncryptBallot(counterPub, 'elec-9', plaintext);
    expect(toHex(again)).not.toBe(toHex(await webEncryptBallot(counterPub, 'elec-9', plaintext)));
    expect(toHex(unwrap(decryptBallot(counter.privateKey, again, 'elec-9')).plaintext)).toBe(toHex(plaintext));
  });

  it('the election fingerprint and the cast receipt signature check agree with the server', async () => {
    const log = generateKeyPairSync('ed25519');
    const logPublicKey = log.publicKey.export({ format: 'jwk' }).x as string;
    const keys = { electionId: 'elec-7', authorityPublicKey: spki(authority.publicKey), ballotPublicKey: spki(counter.publicKey), logPublicKey };
    expect(await webFingerprint(keys)).toBe(unwrap(electionFingerprint(keys)));
    expect(await webFingerprint({ ...keys, electionId: 'elec-\ud800' })).toBeUndefined();
    // Version 2 (trustees and named witnesses), as election.get serves them: the booth's WebCrypto value is node's.
    const trustees = { threshold: 1, params: { n: 'Tm', e: 'AQAB', v: 'Vg', vi: ['dmk'] }, trustees: [{ index: 1, name: 'Ada', identityKey: 'I'.repeat(43), shareCommitment: 'a'.repeat(64) }] };
    const v2 = { ...keys, ...pinsOf({ trustees, witnesses: ['w.example/b+00000000+BB', 'w.example/a+00000000+BA'] }) };
    expect(await webFingerprint(v2)).toBe(unwrap(electionFingerprint(v2)));
    expect(await webFingerprint(v2)).not.toBe(await webFingerprint(keys));
    // Version 3 (ballot form, method, seats), as election.get serves `ballot`: the same again.
    const v3 = { ...keys, ...pinsOf({ ballot: { form: { kind: 'graded', blank: true, scale: ['Reject', 'Good'] }, method: 'majority-judgment', seats: 1 } }) };
    expect(await webFingerprint(v3)).toBe(unwrap(electionFingerprint(v3)));
    expect(await webFingerprint(v3)).not.toBe(await webFingerprint(keys));
    const hash = 'c'.repeat(64);
    const sig = signCastReceipt(log.privateKey, 'elec-7', hash);
    expect(await webVerifyCastReceipt(logPublicKey, 'elec-7', hash, sig)).toBe(true);
    expect(await webVerifyCastReceipt(logPublicKey, 'elec-8', hash, sig)).toBe(false);
    expect(await webVerifyCastReceipt(logPublicKey, 'elec-7', 'd'.repeat(64), sig)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    expect(await webVerifyCastReceipt(other, 'elec-7', hash, sig)).toBe(false);
    expect(await webVerifyCastReceipt(logPublicKey, 'elec-7', hash, sig.slice(0, -2))).toBe(false);
    expect(await webVerifyCastReceipt('junk', 'elec-7', hash, sig)).toBe(false);
  });

  it("level 2's MAC and level 3's proof equal the server's", async () => {
    const clientKey = toBase64url(new Uint8Array(randomBytes(32)));
    for (const voterId of ['v-1', 'voter_ü', 'x'.repeat(64)]) expect(await webClientMac(clientKey, voterId)).toBe(clientMac(clientKey, voterId));
    const own = await generateX25519Pair();
    expect(own.publicKey).toHaveLength(32);
    const server = generateX25519KeyPair();
    const nonce = new Uint8Array(randomBytes(32));
    const voterId = 'voter-42';
    const clientId = 'client-abc';
    const proof = await level3Proof(own, { serverPublicKey: toBase64url(server.publicKey), nonce: toBase64url(nonce) }, voterId, clientId);
    // The server's side, as src/auth/voter-login.ts computes it.
    const secret = unwrap(x25519SharedSecret(server.privateKey, own.publicKey));
    expect(proof).toBe(toBase64url(sessionProof(deriveSessionKey(secret, nonce, voterId, clientId), voterId)));
    // A small-order server key is refused, as the Node client refuses it.
    await expect(webX25519(own.privateKey, new Uint8Array(32))).rejects.toMatchObject({ code: 'INVALID_PUBLIC_KEY' });
    await expect(webX25519(own.privateKey, new Uint8Array(31))).rejects.toMatchObject({ code: 'INVALID_PUBLIC_KEY' });
  });
});
