/** C2SP tlog-cosignature v1 (Ed25519) over an evote checkpoint's note body, on any platform (docs/witnesses.md). */
import { concatBytes, fromBase64url, toBase64url, toHex, utf8 } from '../crypto/bytes.ts';
import type { CryptoPrimitives, PublicKeyHandle } from '../crypto/primitives.ts';
import { bytesEqual } from '../crypto/primitives.ts';
import type { CosignatureData } from '../domain/log-events.ts';

/** What a witness vouches for; `root` in hex. */
export interface CosignedHead {
  electionId: string;
  size: number;
  root: string;
}

/** `signature`: standard base64 of key ID ‖ u64 time ‖ Ed25519 signature, the C2SP note signature. */
export type Cosignature = CosignatureData;

/** What an auditor trusts: a key name and a raw Ed25519 key (base64url). */
export interface WitnessKey {
  name: string;
  publicKey: string;
}

export const COSIGNATURE_ALGORITHM = 0x04;
const SIGNATURE_BYTES = 4 + 8 + 64;

export const toBase64 = (b: Uint8Array): string => {
  const url = toBase64url(b).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
};

/** Strict padded standard base64, or undefined. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || /[-_]/.test(text)) return undefined;
  const bare = text.replace(/={1,2}$/, '');
  if (bare.includes('=')) return undefined;
  return fromBase64url(bare.replace(/\+/g, '-').replace(/\//g, '_'));
}

/** C2SP signed-note key names: non-empty, no whitespace, no '+'. */
export const isKeyName = (name: string): boolean => name.length > 0 && name.length <= 256 && !/[\s+]/u.test(name);

export const checkpointOrigin = (electionId: string): string => `evote/${electionId}`;

/** The C2SP checkpoint note body: origin, size, base64 root, each ending in a newline. */
export function checkpointNoteBody(head: CosignedHead): string {
  const root = Uint8Array.from(head.root.match(/../g) ?? [], (h) => parseInt(h, 16));
  return `${checkpointOrigin(head.electionId)}\n${head.size}\n${toBase64(root)}\n`;
}

export function cosignatureMessage(head: CosignedHead, time: number): Uint8Array {
  return utf8(`cosignature/v1\ntime ${time}\n${checkpointNoteBody(head)}`);
}

/** SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4]. */
export function cosignerKeyId(crypto: CryptoPrimitives, key: WitnessKey): Uint8Array | undefined {
  const raw = fromBase64url(key.publicKey);
  if (!raw || raw.length !== 32 || !isKeyName(key.name)) return undefined;
  return crypto.sha256(concatBytes(utf8(`${key.name}\n`), Uint8Array.of(COSIGNATURE_ALGORITHM), raw)).subarray(0, 4);
}

/** The C2SP verifier key: `<name>+<hex key ID>+<base64(0x04 ‖ key)>`. */
export function witnessVkey(crypto: CryptoPrimitives, key: WitnessKey): string {
  const id = cosignerKeyId(crypto, key);
  const raw = fromBase64url(key.publicKey);
  if (!id || !raw) throw new RangeError('not a witness key');
  return `${key.name}+${toHex(id)}+${toBase64(concatBytes(Uint8Array.of(COSIGNATURE_ALGORITHM), raw))}`;
}

/** Parses a vkey; undefined unless its algorithm is 0x04 and its key ID is the one the key implies. */
export function parseWitnessVkey(crypto: CryptoPrimitives, vkey: string): WitnessKey | undefined {
  // The base64 key may itself hold '+': only the first two separate.
  const m = /^([^+]+)\+([^+]+)\+(.+)$/.exec(vkey.trim());
  if (!m) return undefined;
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  const material = fromBase64(keyB64);
  if (!/^[0-9a-f]{8}$/.test(idHex) || !material || material.length !== 33 || material[0] !== COSIGNATURE_ALGORITHM) return undefined;
  const key = { name, publicKey: toBase64url(material.subarray(1)) };
  const id = cosignerKeyId(crypto, key);
  return id && toHex(id) === idHex ? key : undefined;
}

const isHead = (c: Partial<Cosignature>): boolean =>
  typeof c.electionId === 'string' && Number.isSafeInteger(c.size) && (c.size as number) >= 1 && typeof c.root === 'string' && /^[0-9a-f]{64}$/.test(c.root);

// A handful of witnesses sign many heads: their key handles are made once per platform.
const handles = new WeakMap<CryptoPrimitives, Map<string, PublicKeyHandle | undefined>>();
function publicKeyOf(crypto: CryptoPrimitives, publicKey: string): PublicKeyHandle | undefined {
  let byKey = handles.get(crypto);
  if (!byKey) handles.set(crypto, (byKey = new Map()));
  if (!byKey.has(publicKey)) {
    if (byKey.size >= 256) byKey.clear();
    byKey.set(publicKey, crypto.ed25519PublicKey(fromBase64url(publicKey) as Uint8Array));
  }
  return byKey.get(publicKey);
}

/** Why `c` is not a valid cosignature (a stable code), or undefined when it verifies. */
export function cosignatureFault(crypto: CryptoPrimitives, c: Partial<Cosignature>): string | undefined {
  if (!isHead(c) || typeof c.name !== 'string' || typeof c.publicKey !== 'string' || typeof c.signature !== 'string' || !Number.isSafeInteger(c.time) || (c.time as number) < 0) return 'COSIGNATURE_MALFORMED';
  const id = cosignerKeyId(crypto, { name: c.name, publicKey: c.publicKey });
  const blob = fromBase64(c.signature);
  if (!id || !blob || blob.length !== SIGNATURE_BYTES) return 'COSIGNATURE_MALFORMED';
  if (!bytesEqual(blob.subarray(0, 4), id)) return 'COSIGNATURE_KEY_ID';
  const view = new DataView(blob.buffer, blob.byteOffset + 4, 8);
  if (view.getBigUint64(0) !== BigInt(c.time as number)) return 'COSIGNATURE_TIME';
  const key = publicKeyOf(crypto, c.publicKey);
  if (!key || !crypto.ed25519Verify(key, cosignatureMessage(c as CosignedHead, c.time as number), blob.subarray(12))) return 'COSIGNATURE_SIGNATURE';
  return undefined;
}

export function cosignatureBlob(keyId: Uint8Array, time: number, signature: Uint8Array): string {
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, BigInt(time));
  return toBase64(concatBytes(keyId, t, signature));
}
