/**
 * The board's own checks over WebCrypto: the election fingerprint (src/crypto/election-fingerprint.ts,
 * recomputed here rather than taken from the server) and checkpoint signatures (src/audit/checkpoint.ts).
 */
const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';

function fromBase64url(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** SHA-256 over the tag, the id and the three keys, each prefixed by its UTF-8 length (32-bit big-endian). */
export async function electionFingerprint(e: { electionId: string; authorityPublicKey?: string; ballotPublicKey?: string; logPublicKey?: string }): Promise<string | null> {
  if (!e.authorityPublicKey || !e.ballotPublicKey || !e.logPublicKey) return null;
  const parts = [FINGERPRINT_TAG, e.electionId, e.authorityPublicKey, e.ballotPublicKey, e.logPublicKey].map((t) => new TextEncoder().encode(t));
  const buf = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(buf.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    buf.set(p, at + 4);
    at += 4 + p.length;
  }
  return hex(await crypto.subtle.digest('SHA-256', buf));
}

export const formatFingerprint = (fp: string) => (fp.match(/.{1,4}/g) ?? []).join(' ');

export type SignatureCheck = 'ok' | 'bad' | 'unsupported';

/** Imports the election's raw 32-byte Ed25519 log key; undefined when the browser lacks Ed25519 or the key is malformed. */
export async function importLogKey(base64url: string | undefined): Promise<CryptoKey | 'unsupported' | undefined> {
  const raw = base64url ? fromBase64url(base64url) : undefined;
  if (!raw || raw.length !== 32) return undefined;
  try {
    return await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  } catch (err) {
    return (err as Error).name === 'NotSupportedError' ? 'unsupported' : undefined;
  }
}

/** Ed25519 over canonicalJson({electionId, lastPosition, root, size}): keys sorted, no spaces (every value here is a safe id, hex or integer). */
export async function verifyCheckpoint(key: CryptoKey, body: { electionId: string; size: number; root: string; lastPosition: number }, signature: string): Promise<boolean> {
  const sig = fromBase64url(signature);
  if (!sig || sig.length !== 64) return false;
  const message = new TextEncoder().encode(JSON.stringify({ electionId: body.electionId, lastPosition: body.lastPosition, root: body.root, size: body.size }));
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, message);
  } catch {
    return false;
  }
}
