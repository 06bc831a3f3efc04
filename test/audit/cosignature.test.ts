/**
 * Witness co-signatures (C2SP tlog-cosignature v1) against an independent check: the message is
 * rebuilt here by hand from the spec, the key ID with node's SHA-256, and what node:crypto signed is
 * verified with @noble/curves. The published vectors are the framing ones the spec and
 * transparency-dev/formats give (a cosignature/v1 vkey, two timestamped signatures).
 */
import { describe, it, expect } from 'vitest';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64, toBase64 } from '../../src/audit/cosignature-core.ts';
import { generateWitnessKey, parseVkey, signCosignature, verifyCosignature, vkeyOf, witnessSignerOf } from '../../src/audit/cosignature.ts';
import { judgeCheckpoint } from '../../src/audit/witness-core.ts';
import { rawLogPublicKey, signCheckpoint } from '../../src/audit/checkpoint.ts';
import { nodePrimitives } from '../../src/crypto/node-primitives.ts';
import { MerkleTree } from '../../src/crypto/merkle-tree.ts';
import { leafHash } from '../../src/crypto/merkle.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const signer = witnessSignerOf(generateWitnessKey('witness.example.org/w1'))!;
const head = { electionId: 'e-42', size: 20852163, root: hex(randomBytes(32)) };

describe('cosignature/v1 format', () => {
  it('signs "cosignature/v1\\ntime T\\n" + the checkpoint note body: @noble verifies what node:crypto signed', () => {
    const c = signCosignature(signer, head, 1679315147);
    const blob = Buffer.from(c.signature, 'base64');
    expect(blob.length).toBe(76);
    const keyId = createHash('sha256').update(Buffer.concat([Buffer.from('witness.example.org/w1\n'), Buffer.from([0x04]), Buffer.from(signer.publicKey, 'base64url')])).digest().subarray(0, 4);
    expect(hex(blob.subarray(0, 4))).toBe(hex(keyId));
    expect(blob.readBigUInt64BE(4)).toBe(1679315147n);
    const message = `cosignature/v1\ntime 1679315147\nevote/e-42\n20852163\n${Buffer.from(head.root, 'hex').toString('base64')}\n`;
    expect(ed25519.verify(blob.subarray(12), Buffer.from(message), Buffer.from(signer.publicKey, 'base64url'))).toBe(true);
    expect(ed25519.verify(blob.subarray(12), Buffer.from(message.replace('20852163', '20852164')), Buffer.from(signer.publicKey, 'base64url'))).toBe(false);
    expect(verifyCosignature(c)).toBeUndefined();
  });

  it('verifies a co-signature @noble made, and names what is wrong with a bad one', () => {
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = Buffer.from(ed25519.getPublicKey(secret)).toString('base64url');
    const name = 'noble.example/w2';
    const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([0x04]), Buffer.from(publicKey, 'base64url')])).digest().subarray(0, 4);
    const time = 1727964367;
    const message = `cosignature/v1\ntime ${time}\nevote/e-42\n${head.size}\n${Buffer.from(head.root, 'hex').toString('base64')}\n`;
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(time));
    const signature = Buffer.concat([keyId, t, ed25519.sign(Buffer.from(message), secret)]).toString('base64');
    const c = { ...head, name, publicKey, time, signature };
    expect(verifyCosignature(c)).toBeUndefined();
    expect(verifyCosignature({ ...c, root: hex(randomBytes(32)) })).toBe('COSIGNATURE_SIGNATURE');
    expect(verifyCosignature({ ...c, time: time + 1 })).toBe('COSIGNATURE_TIME');
    expect(verifyCosignature({ ...c, name: 'noble.example/w3' })).toBe('COSIGNATURE_KEY_ID');
    expect(verifyCosignature({ ...c, signature: c.signature.slice(0, 40) })).toBe('COSIGNATURE_MALFORMED');
  });

  it('accepts the published cosignature/v1 vkey of transparency-dev/formats and round-trips it; a wrong key ID is refused', () => {
    const vkey = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';
    const key = parseVkey(vkey);
    expect(key?.name).toBe('remora.n621.de');
    expect(vkeyOf(key!)).toBe(vkey);
    expect(parseVkey(vkey.replace('da77ade7', 'da77ade8'))).toBeUndefined();
    // A signed-note (0x01) key is not a cosigning key.
    expect(parseVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toBeUndefined();
    expect(parseVkey(vkeyOf(signer))).toEqual({ name: signer.name, publicKey: signer.publicKey });
  });

  it('reads the key ID and timestamp of the published co-signatures (C2SP example, transparency-dev/formats)', () => {
    const spec = fromBase64('jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==')!;
    expect(spec.length).toBe(76);
    expect(hex(spec.subarray(0, 4))).toBe('8d66cf3f');
    expect(Buffer.from(spec).readBigUInt64BE(4)).toBe(1679315147n);
    const formats = fromBase64('ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==')!;
    expect(Buffer.from(formats).readBigUInt64BE(4)).toBe(1727964367n);
    expect(toBase64(spec)).toBe('jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==');
    expect(fromBase64('jWbPPw==x')).toBeUndefined();
  });
});

describe('the witness decision', () => {
  const log = generateKeyPairSync('ed25519');
  const logKey = rawLogPublicKey(log.publicKey);
  const tree = new MerkleTree();
  for (let i = 0; i < 40; i++) tree.append(leafHash(Buffer.from(`event ${i}`)));
  const cp = (size: number, t = tree) => {
    const body = { electionId: 'e-42', size, root: hex(t.root(size)), lastPosition: size * 3 };
    return { ...body, signature: signCheckpoint(log.privateKey, body) };
  };
  const last = (size: number) => ({ logPublicKey: logKey, size, root: hex(tree.root(size)), lastPosition: size * 3, time: 1 });

  it('co-signs a first checkpoint, a consistent larger one, and the same one again', () => {
    expect(judgeCheckpoint(nodePrimitives, undefined, logKey, cp(10), [])).toBeUndefined();
    expect(judgeCheckpoint(nodePrimitives, last(10), logKey, cp(33), tree.consistencyProof(10, 33))).toBeUndefined();
    expect(judgeCheckpoint(nodePrimitives, last(33), logKey, cp(33), [])).toBeUndefined();
  });

  it('refuses a fork, a rollback, a bad signature and a changed log key', () => {
    const forked = new MerkleTree();
    for (let i = 0; i < 40; i++) forked.append(leafHash(Buffer.from(i === 7 ? 'another event' : `event ${i}`)));
    expect(judgeCheckpoint(nodePrimitives, last(10), logKey, cp(33, forked), forked.consistencyProof(10, 33))?.code).toBe('CHECKPOINT_INCONSISTENT');
    expect(judgeCheckpoint(nodePrimitives, last(33), logKey, cp(33, forked), [])?.code).toBe('CHECKPOINT_FORK');
    expect(judgeCheckpoint(nodePrimitives, last(33), logKey, cp(20), [])?.code).toBe('CHECKPOINT_ROLLBACK');
    expect(judgeCheckpoint(nodePrimitives, last(10), logKey, { ...cp(33), root: hex(forked.root(33)) }, forked.consistencyProof(10, 33))?.code).toBe('CHECKPOINT_SIGNATURE');
    const other = rawLogPublicKey(generateKeyPairSync('ed25519').publicKey);
    expect(judgeCheckpoint(nodePrimitives, last(10), other, cp(33), tree.consistencyProof(10, 33))?.code).toBe('LOG_KEY_CHANGED');
  });
});
