/**
 * Opens one counted ballot with public data only (verifiable decryption; docs/audit.md, "ballots").
 * Pure and synchronous over CryptoPrimitives: it runs inside the CLI's audit workers (node:crypto)
 * and in the browser's audit worker (@noble).
 */
import { decodeBallotCiphertext, decryptWithRevealedRUsing } from '../crypto/ballot-ciphertext.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import { isBelowModulus, isZeroOrOne, type CryptoPrimitives, type PublicKeyHandle } from '../crypto/primitives.ts';
import { readOpenedBallot, type OpenedBallot } from '../tally/classify.ts';
import { verifyingWeight } from '../domain/weight-classes.ts';

export interface ElectionPublicKeys {
  electionId: string;
  /** base64url SPKI DER, as in ElectionCreated. */
  authorityPublicKey: string;
  ballotPublicKey: string;
  /** A weighted election's classes (ElectionCreated): signatures are checked against these keys. */
  weightClasses?: { weight: number; authorityPublicKey: string }[];
}

export interface OpenBallotJob {
  ciphertext: string;
  revealedR: string | null;
}

/** The election's keys imported on one platform, with that platform's primitives. */
export interface OpeningKeys {
  crypto: CryptoPrimitives;
  authority: PublicKeyHandle;
  ballot: PublicKeyHandle;
  classes?: { weight: number; key: PublicKeyHandle }[];
}

/**
 * The ballot's content in the tally's terms, or a false claim in the VoteCounted: 'wrong-r' (r^e mod
 * n ≠ c0) or 'missing-r' (no r although c0 is a usable KEM value).
 */
export type BallotOpening = OpenedBallot | { kind: 'wrong-r' } | { kind: 'missing-r' };

/** Throws when either key is not base64url SPKI DER of an RSA key. */
export function importElectionKeys(crypto: CryptoPrimitives, k: ElectionPublicKeys): OpeningKeys {
  const spki = (b64: string) => {
    const der = fromBase64url(b64);
    if (!der) throw new TypeError('public key is not base64url');
    return crypto.rsaPublicKey(der);
  };
  const classes = k.weightClasses?.map((c) => ({ weight: c.weight, key: spki(c.authorityPublicKey) }));
  return { crypto, authority: spki(k.authorityPublicKey), ballot: spki(k.ballotPublicKey), ...(classes && { classes }) };
}

const unreadable = (revealedR: string | null): OpenedBallot => ({ kind: 'undecryptable', revealedR, choice: null, n2Commitment: null });

/** A ciphertext nobody can open with any r: malformed, c0 not below the modulus, or c0 < 2 (then r = c0). */
function provablyUnreadable(keys: OpeningKeys, ciphertext: string): boolean {
  const c = decodeBallotCiphertext(ciphertext);
  if (!c.ok) return true;
  return !isBelowModulus(keys.crypto.rsaPublicNumbers(keys.ballot), c.value.c0) || isZeroOrOne(c.value.c0);
}

export function openBallot(keys: OpeningKeys, electionId: string, job: OpenBallotJob): BallotOpening {
  if (job.revealedR === null) return provablyUnreadable(keys, job.ciphertext) ? unreadable(null) : { kind: 'missing-r' };
  const r = fromBase64url(job.revealedR);
  if (!r) return { kind: 'wrong-r' };
  const decrypted = decryptWithRevealedRUsing(keys.crypto, keys.ballot, r, job.ciphertext, electionId);
  if (!decrypted.ok) {
    const code = decrypted.error.code;
    if (code === 'REVEALED_SECRET_MISMATCH' || code === 'INVALID_LENGTH') return { kind: 'wrong-r' };
    // AES-GCM refuses under the (correct) r, or the ciphertext is malformed: nobody can read it.
    return unreadable(job.revealedR);
  }
  // The tally's own reading of a decrypted ballot (src/tally/classify.ts).
  const { crypto, authority, classes } = keys;
  const check = classes
    ? (m: Uint8Array, s: Uint8Array) => verifyingWeight(classes, (key) => crypto.rsaPssSha384Verify(key, m, s))
    : (m: Uint8Array, s: Uint8Array) => crypto.rsaPssSha384Verify(authority, m, s);
  return readOpenedBallot(check, electionId, decrypted.value.plaintext, job.revealedR);
}
