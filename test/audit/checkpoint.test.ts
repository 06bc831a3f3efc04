/**
 * Checkpoint signatures: Ed25519 (OpenSSL) over the canonical checkpoint body, checked against an
 * implementation nobody here wrote (@noble/curves), RFC 8032 §7.1 test 1 for the key handling, and
 * refused whenever any signed field, the key or the signature changes.
 */
import { describe, it, expect } from 'vitest';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { checkpointMessage, logPrivateKeyFromPkcs8, logPublicKeyFromRaw, rawLogPublicKey, signCheckpoint, verifyCheckpoint } from '../../src/audit/checkpoint.ts';

const body = { electionId: 'e-1', size: 1234, root: 'ab'.repeat(32), lastPosition: 98765 };

describe('checkpoint signatures', () => {
  it('signs the canonical body (sorted keys, no whitespace)', () => {
    expect(Buffer.from(checkpointMessage(body)).toString()).toBe(`{"electionId":"e-1","lastPosition":98765,"root":"${'ab'.repeat(32)}","size":1234}`);
  });

  it('RFC 8032 §7.1 test 1: the raw public key and the signature of the empty message', () => {
    const secret = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secret]);
    const key = logPrivateKeyFromPkcs8(der);
    expect(Buffer.from(rawLogPublicKey(key), 'base64url').toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(Buffer.from(sign(null, Buffer.alloc(0), key)).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('verifies its own signatures and @noble/curves agrees; any change is refused', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawLogPublicKey(publicKey);
    const pub = logPublicKeyFromRaw(raw)!;
    const sig = signCheckpoint(privateKey, body);
    expect(verifyCheckpoint(pub, body, sig)).toBe(true);
    expect(ed25519.verify(Buffer.from(sig, 'base64url'), checkpointMessage(body), Buffer.from(raw, 'base64url'))).toBe(true);
    for (const changed of [{ ...body, size: 1235 }, { ...body, root: 'ac'.repeat(32) }, { ...body, lastPosition: 1 }, { ...body, electionId: 'e-2' }]) {
      expect(verifyCheckpoint(pub, changed, sig)).toBe(false);
    }
    const other = logPublicKeyFromRaw(rawLogPublicKey(generateKeyPairSync('ed25519').publicKey))!;
    expect(verifyCheckpoint(other, body, sig)).toBe(false);
    const flipped = Buffer.from(sig, 'base64url');
    flipped[10]! ^= 1;
    expect(verifyCheckpoint(pub, body, flipped.toString('base64url'))).toBe(false);
    expect(verifyCheckpoint(pub, body, 'not base64')).toBe(false);
    expect(verifyCheckpoint(pub, body, '')).toBe(false);
  });

  it('refuses malformed public keys', () => {
    expect(logPublicKeyFromRaw('')).toBeUndefined();
    expect(logPublicKeyFromRaw(Buffer.alloc(31).toString('base64url'))).toBeUndefined();
    expect(logPublicKeyFromRaw('!!')).toBeUndefined();
    expect(() => createPrivateKey({ key: Buffer.alloc(10), format: 'der', type: 'pkcs8' })).toThrow();
  });
});
