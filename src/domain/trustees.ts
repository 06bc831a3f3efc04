/**
 * The key ceremony's public transcript as the log holds it (docs/trustees.md "The ceremony and the
 * tally"): the ballot key, the threshold, and per trustee a name, an Ed25519 identity key and a
 * commitment to the protected share. Shape checks only; the handler parses the threshold params.
 */
import { domainError, type DomainError } from './errors.ts';

export const TRANSCRIPT_VERSION = 1;
export const MAX_TRUSTEES = 32;
export const TRUSTEE_NAME_MAX_LENGTH = 100;

export interface TrusteeEntry {
  /** 1..n, the share's index in the threshold scheme. */
  index: number;
  name: string;
  /** base64url of the raw 32-byte Ed25519 key that signs this trustee's submissions. */
  identityKey: string;
  /** SHA-256 (hex) of the trustee's protected share file's share blob. */
  shareCommitment: string;
}

export interface TrusteeTranscript {
  version: number;
  /** base64url SPKI DER of the counter's RSA public key: the election's ballot key. */
  ballotPublicKey: string;
  threshold: number;
  /** encodeThresholdParams: modulus, exponent, Δ, verification keys (public). */
  params: Record<string, unknown>;
  trustees: TrusteeEntry[];
  createdAt: string;
}

const ED25519_RAW_RE = /^[A-Za-z0-9_-]{43}$/;
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
const RSA_SPKI_RE = /^[A-Za-z0-9_-]{300,800}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

const invalid = (message: string, details?: Record<string, unknown>) => domainError('INVALID_TRUSTEES', message, details);

function validateTrustee(t: unknown, position: number): DomainError | undefined {
  if (typeof t !== 'object' || t === null) return invalid('every trustee is an object', { position });
  const e = t as Partial<TrusteeEntry>;
  if (e.index !== position + 1) return invalid('trustees are listed by index, 1 to n', { position });
  if (typeof e.name !== 'string' || e.name.trim() !== e.name || e.name.length === 0 || e.name.length > TRUSTEE_NAME_MAX_LENGTH || CONTROL_RE.test(e.name)) {
    return invalid(`a trustee's name is 1 to ${TRUSTEE_NAME_MAX_LENGTH} characters without controls or outer spaces`, { index: e.index });
  }
  if (typeof e.identityKey !== 'string' || !ED25519_RAW_RE.test(e.identityKey)) return invalid("a trustee's identity key is a raw Ed25519 key, base64url", { index: e.index });
  if (typeof e.shareCommitment !== 'string' || !SHA256_HEX_RE.test(e.shareCommitment)) return invalid("a trustee's share commitment is 64 hex digits", { index: e.index });
  return undefined;
}

/** The transcript's shape, and that it names the election's ballot key. */
export function validateTranscript(t: TrusteeTranscript | undefined, ballotPublicKey: string): DomainError | undefined {
  if (typeof t !== 'object' || t === null) return invalid('the trustees transcript is not an object');
  if (t.version !== TRANSCRIPT_VERSION) return invalid(`unsupported transcript version ${String(t.version)}`);
  if (typeof t.ballotPublicKey !== 'string' || !RSA_SPKI_RE.test(t.ballotPublicKey)) return invalid('the transcript has no RSA ballot key');
  if (t.ballotPublicKey !== ballotPublicKey) return invalid("the transcript's ballot key is not the election's");
  if (typeof t.params !== 'object' || t.params === null || Array.isArray(t.params)) return invalid('the transcript has no threshold parameters');
  if (typeof t.createdAt !== 'string' || Number.isNaN(Date.parse(t.createdAt))) return invalid('the transcript has no creation time');
  if (!Array.isArray(t.trustees) || t.trustees.length < 1 || t.trustees.length > MAX_TRUSTEES) return invalid(`1 to ${MAX_TRUSTEES} trustees`);
  if (!Number.isInteger(t.threshold) || t.threshold < 1 || t.threshold > t.trustees.length) {
    return invalid('the threshold is between 1 and the number of trustees', { threshold: t.threshold, trustees: t.trustees.length });
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, trustee] of t.trustees.entries()) {
    const bad = validateTrustee(trustee, i);
    if (bad) return bad;
    if (names.has(trustee.name.toLowerCase())) return invalid('trustee names must be unique', { index: trustee.index });
    if (keys.has(trustee.identityKey)) return invalid('trustee identity keys must be unique', { index: trustee.index });
    names.add(trustee.name.toLowerCase());
    keys.add(trustee.identityKey);
  }
  return undefined;
}

/**
 * The text a trustee signs with its identity key for one batch of partial decryptions (values
 * `index.x`, in order) and the batch's one proof: nobody else can submit in its name, and nobody can
 * alter a value or the proof of a signed batch.
 */
export function partialsBatchText(electionId: string, trusteeIndex: number, batch: number, partials: readonly { ballotHash: string; partial: string }[], proof: string): string {
  let text = `evote/trustee-partials/v2\n${electionId}\n${trusteeIndex}\n${batch}\n`;
  for (const p of partials) text += `${p.ballotHash} ${p.partial}\n`;
  return `${text}proof ${proof}\n`;
}
