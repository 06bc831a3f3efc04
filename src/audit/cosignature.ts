/** Witness keys and co-signing on node:crypto; the format is cosignature-core.ts's. */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { rawLogPublicKey } from './checkpoint.ts';
import { cosignatureBlob, cosignatureFault, cosignatureMessage, cosignerKeyId, isKeyName, parseWitnessVkey, witnessVkey, type Cosignature, type CosignedHead, type WitnessKey } from './cosignature-core.ts';

export { type Cosignature, type CosignedHead, type WitnessKey } from './cosignature-core.ts';

/** A witness's private key as `evote witness keygen` writes it (the file is mode 0600). */
export interface WitnessKeyFile extends WitnessKey {
  format: 'evote-witness-key/v1';
  /** PKCS#8 DER, base64url. */
  privateKey: string;
}

export interface WitnessSigner extends WitnessKey {
  privateKey: KeyObject;
}

export function generateWitnessKey(name: string): WitnessKeyFile {
  if (!isKeyName(name)) throw new RangeError('a witness name is non-empty, without spaces or "+"');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { format: 'evote-witness-key/v1', name, publicKey: rawLogPublicKey(publicKey), privateKey: toBase64url(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))) };
}

/** The signer of a key file's content, or undefined when it is not one (or its halves do not match). */
export function witnessSignerOf(file: Partial<WitnessKeyFile>): WitnessSigner | undefined {
  if (file.format !== 'evote-witness-key/v1' || typeof file.name !== 'string' || !isKeyName(file.name) || typeof file.privateKey !== 'string') return undefined;
  const der = fromBase64url(file.privateKey);
  if (!der) return undefined;
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    const publicKey = rawLogPublicKey(privateKey);
    return publicKey === file.publicKey ? { name: file.name, publicKey, privateKey } : undefined;
  } catch {
    return undefined;
  }
}

export function signCosignature(signer: WitnessSigner, head: CosignedHead, time: number): Cosignature {
  const id = cosignerKeyId(nodePrimitives, signer) as Uint8Array;
  const sig = new Uint8Array(sign(null, cosignatureMessage(head, time), signer.privateKey));
  return { electionId: head.electionId, size: head.size, root: head.root, name: signer.name, publicKey: signer.publicKey, time, signature: cosignatureBlob(id, time, sig) };
}

export const verifyCosignature = (c: Partial<Cosignature>): string | undefined => cosignatureFault(nodePrimitives, c);
export const vkeyOf = (key: WitnessKey): string => witnessVkey(nodePrimitives, key);
export const parseVkey = (vkey: string): WitnessKey | undefined => parseWitnessVkey(nodePrimitives, vkey);
