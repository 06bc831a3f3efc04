/**
 * The election fingerprint over its id, three public keys and, in version 2, its trustees' public
 * transcript and named witnesses, in version 3 also its ballot form, counting method and seats
 * (layout in docs/audit.md), over any platform's SHA-256:
 * election-fingerprint.ts binds node:crypto's, the browser's audit @noble's, the booth WebCrypto's.
 */
import { fail, ok, type CryptoResult } from './errors.ts';
import { concatBytes, isWellFormedText, lengthPrefixed, toHex, utf8 } from './bytes.ts';

export const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';
export const FINGERPRINT_TAG_V2 = 'evote/election-fingerprint/v2';
export const FINGERPRINT_TAG_V3 = 'evote/election-fingerprint/v3';
export const FINGERPRINT_TAG_V4 = 'evote/election-fingerprint/v4';

/** ElectionCreated's form, method and seats (src/domain/ballot-form.ts BallotRules, restated: crypto sits below domain). */
export interface BallotRulesForFingerprint {
  form: { kind: string; blank: boolean; min?: number; max?: number; full?: boolean; maxRanks?: number; scale?: readonly string[] };
  method: string;
  seats: number;
}

/** The public part of TrusteesAppointed the fingerprint covers (the transcript's params as encodeThresholdParams writes them). */
export interface TrusteesForFingerprint {
  threshold: number;
  params: Record<string, unknown>;
  trustees: readonly { index: number; name: string; identityKey: string; shareCommitment: string }[];
}

export interface ElectionKeysForFingerprint {
  electionId: string;
  authorityPublicKey: string;
  ballotPublicKey: string;
  logPublicKey: string;
  /** Version 2 when present (or when `witnesses` is not empty). */
  trustees?: TrusteesForFingerprint | null;
  /** The witnesses' Ed25519 keys named at creation, in any order (hashed sorted). */
  witnesses?: readonly string[] | null;
  /** Version 3 when present: an election whose ballot is not single-choice plurality. */
  ballot?: BallotRulesForFingerprint | null;
  /** Version 4 when present: a weighted election's classes, each with its authority key (hashed by weight). */
  weightClasses?: readonly { weight: number; authorityPublicKey: string }[] | null;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** 1 for an election with neither trustees nor named witnesses (old letters keep verifying), 4 with weight classes, 3 with ballot rules, else 2. */
export function fingerprintVersion(k: ElectionKeysForFingerprint): 1 | 2 | 3 | 4 {
  if (k.weightClasses && k.weightClasses.length > 0) return 4;
  if (k.ballot) return 3;
  return k.trustees || (k.witnesses && k.witnesses.length > 0) ? 2 : 1;
}

const optional = (n: number | undefined) => (n === undefined ? '' : String(n));

function ballotFields(b: BallotRulesForFingerprint): unknown[] {
  const f = b.form;
  const kindFields =
    f.kind === 'approval' ? [String(f.min), optional(f.max)]
    : f.kind === 'ranked' ? [f.full ? '1' : '0', optional(f.maxRanks)]
    : f.kind === 'graded' ? (Array.isArray(f.scale) ? [String(f.scale.length), ...f.scale] : [undefined])
    : [];
  return ['ballot', f.kind, f.blank ? '1' : '0', ...kindFields, 'method', b.method, 'seats', String(b.seats)];
}

function trusteeFields(t: TrusteesForFingerprint): unknown[] {
  const p = t.params;
  const vi = Array.isArray(p.vi) ? (p.vi as unknown[]) : [];
  if (!Array.isArray(t.trustees) || vi.length !== t.trustees.length) return [undefined];
  const each = t.trustees.flatMap((x, i) => [String(x.index), x.name, x.identityKey, vi[i], x.shareCommitment]);
  return [String(t.trustees.length), String(t.threshold), p.n, p.e, p.v, ...each];
}

/** What is hashed: each field's 4-byte big-endian length and UTF-8 bytes (the booth hashes it with WebCrypto). */
export function electionFingerprintInput(k: ElectionKeysForFingerprint): CryptoResult<Uint8Array> {
  const v1 = [k.electionId, k.authorityPublicKey, k.ballotPublicKey, k.logPublicKey];
  let fields: unknown[] = [FINGERPRINT_TAG, ...v1];
  const version = fingerprintVersion(k);
  if (version >= 2) {
    const witnesses = [...(k.witnesses ?? [])].sort();
    const v2 = [...v1, 'trustees', ...(k.trustees ? trusteeFields(k.trustees) : ['0']), 'witnesses', String(witnesses.length), ...witnesses];
    if (version === 4) {
      // The v3 layout, 'ballot' '-' when plurality, then each class's weight and key, by weight.
      const classes = [...(k.weightClasses ?? [])].sort((a, b) => a.weight - b.weight);
      const each = classes.flatMap((c) => [Number.isSafeInteger(c.weight) ? String(c.weight) : undefined, c.authorityPublicKey]);
      fields = [FINGERPRINT_TAG_V4, ...v2, ...(k.ballot ? ballotFields(k.ballot) : ['ballot', '-']), 'weights', String(classes.length), ...each];
    } else fields = version === 3 && k.ballot ? [FINGERPRINT_TAG_V3, ...v2, ...ballotFields(k.ballot)] : [FINGERPRINT_TAG_V2, ...v2];
  }
  if (!fields.every((text) => typeof text === 'string' && isWellFormedText(text))) return fail('MALFORMED_MESSAGE', 'an election id, key or trustee field is not a well-formed string');
  return ok(concatBytes(...(fields as string[]).map((text) => lengthPrefixed(utf8(text)))));
}

/** Lowercase hex SHA-256 of electionFingerprintInput. */
export function electionFingerprintWith(sha256: (data: Uint8Array) => Uint8Array, k: ElectionKeysForFingerprint): CryptoResult<string> {
  const input = electionFingerprintInput(k);
  return input.ok ? ok(toHex(sha256(input.value))) : input;
}

export function formatFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/** A typed-in fingerprint (any case; spaces, colons and dashes ignored) as 64 hex digits, or undefined. */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:-]/g, '').toLowerCase();
  return HEX64.test(hex) ? hex : undefined;
}
