/**
 * Opening one counted ballot with nothing but public data (verifiable decryption): the revealed KEM
 * secret r must satisfy r^e mod n = c0 under the counter's public key, the ballot must decrypt under
 * HKDF(r), and the authority's RFC 9474 signature must verify. Pure and synchronous: it runs inside
 * the audit workers (audit-worker.ts), two RSA public operations per ballot.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptWithRevealedR } from '../crypto/ballot-encryption.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { verify as verifyBlindSignature } from '../crypto/blind-rsa.ts';
import { bytesToBigInt, fromBase64url } from '../crypto/bytes.ts';
import { rsaPublicNumbers } from '../crypto/rsa.ts';
import { hashToken } from '../credentials/tokens.ts';
import type { OpenedBallot } from '../tally/classify.ts';

export interface ElectionPublicKeys {
  electionId: string;
  /** base64url SPKI DER, as in ElectionCreated. */
  authorityPublicKey: string;
  ballotPublicKey: string;
}

export interface OpenBallotJob {
  ciphertext: string;
  revealedR: string | null;
}

/**
 * What the ballot turned out to contain, in the tally's own terms (src/tally/classify.ts
 * OpenedBallot), or a false claim in the VoteCounted: 'wrong-r' when the revealed r does not satisfy
 * r^e mod n = c0, 'missing-r' when no r is revealed although c0 is a usable KEM value (the tally
 * reveals r for every ballot whose c0 it can invert, so UNDECRYPTABLE is checkable by anyone).
 */
export type BallotOpening = OpenedBallot | { kind: 'wrong-r' } | { kind: 'missing-r' };

export function importElectionKeys(k: ElectionPublicKeys): { authority: KeyObject; ballot: KeyObject } {
  const spki = (b64: string) => {
    const der = fromBase64url(b64);
    if (!der) throw new TypeError('public key is not base64url');
    const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') throw new TypeError('public key is not an RSA key');
    return key;
  };
  return { authority: spki(k.authorityPublicKey), ballot: spki(k.ballotPublicKey) };
}

const unreadable = (revealedR: string | null, choice: string | null = null, hashN2: string | null = null): OpenedBallot => ({
  kind: 'undecryptable',
  revealedR,
  choice,
  hashN2,
});

/** A ciphertext nobody can open with any r: malformed, c0 not below the modulus, or c0 < 2 (then r = c0). */
function provablyUnreadable(ballotKey: KeyObject, ciphertext: string): boolean {
  const c = decodeBallotCiphertext(ciphertext);
  if (!c.ok) return true;
  const { n, modulusBytes } = rsaPublicNumbers(ballotKey);
  const c0 = bytesToBigInt(c.value.c0);
  return c.value.c0.length !== modulusBytes || c0 >= n || c0 < 2n;
}

export function openBallot(keys: { authority: KeyObject; ballot: KeyObject }, electionId: string, job: OpenBallotJob): BallotOpening {
  if (job.revealedR === null) return provablyUnreadable(keys.ballot, job.ciphertext) ? unreadable(null) : { kind: 'missing-r' };
  const r = fromBase64url(job.revealedR);
  if (!r) return { kind: 'wrong-r' };
  const decrypted = decryptWithRevealedR(keys.ballot, r, job.ciphertext, electionId);
  if (!decrypted.ok) {
    const code = decrypted.error.code;
    if (code === 'REVEALED_SECRET_MISMATCH' || code === 'INVALID_LENGTH') return { kind: 'wrong-r' };
    // AES-GCM refuses under the (correct) r, or the ciphertext is malformed: nobody can read it.
    return unreadable(job.revealedR);
  }
  const plaintext = decodeBallotPlaintext(decrypted.value.plaintext);
  if (!plaintext.ok) return unreadable(job.revealedR);
  const message = ballotMessageOf(plaintext.value.preparedMessage);
  if (!message.ok) return unreadable(job.revealedR);
  const { choice, n2 } = message.value;
  const hashN2 = hashToken(n2) ?? null;
  // Signed for another election: readable, but not a ballot of this one (the tally's rule).
  if (message.value.electionId !== electionId) return unreadable(job.revealedR, choice, hashN2);
  const signatureValid = verifyBlindSignature(keys.authority, plaintext.value.preparedMessage, plaintext.value.signature);
  return { kind: 'opened', revealedR: job.revealedR, choice, hashN2, signatureValid };
}
