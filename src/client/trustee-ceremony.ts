/**
 * The offline key ceremony (docs/trustees.md "The ceremony and the tally"): deals the counter key
 * k-of-n, protects each share under its trustee's passphrase, and returns the public transcript.
 * The private key exists only inside dealThresholdKey, on the ceremony's machine, for the deal.
 */
import { createHash } from 'node:crypto';
import { toBase64url } from '../crypto/bytes.ts';
import { dealThresholdKey, encodeShare, encodeThresholdParams } from '../crypto/threshold-rsa.ts';
import { encryptShare, MIN_PASSPHRASE_CHARS } from '../crypto/share-protection.ts';
import { TRANSCRIPT_VERSION, validateTranscript, type TrusteeTranscript } from '../domain/trustees.ts';
import { trusteeIdentityOf } from './trustee-identity.ts';

export const SHARE_FILE_VERSION = 1;

/** What a trustee takes home: its share under its passphrase, and who it is in which ceremony. */
export interface ShareFile {
  version: number;
  kind: 'evote-trustee-share';
  index: number;
  name: string;
  threshold: number;
  trustees: number;
  ballotPublicKey: string;
  /** encryptShare's protected blob; the transcript's shareCommitment is SHA-256 of its JSON text. */
  protectedShare: unknown;
}

export interface CeremonyInput {
  trustees: { name: string; passphrase: string }[];
  threshold: number;
  bits?: 2048 | 3072;
  now?: () => Date;
}

export class CeremonyError extends Error {
  constructor(
    readonly code: 'INVALID_CEREMONY' | 'WEAK_PASSPHRASE',
    message: string,
  ) {
    super(message);
  }
}

export const shareCommitmentOf = (protectedShare: unknown) => createHash('sha256').update(JSON.stringify(protectedShare)).digest('hex');

export async function runCeremony(input: CeremonyInput): Promise<{ transcript: TrusteeTranscript; shareFiles: ShareFile[] }> {
  const n = input.trustees.length;
  for (const t of input.trustees) {
    if ([...t.passphrase.normalize('NFC')].length < MIN_PASSPHRASE_CHARS) throw new CeremonyError('WEAK_PASSPHRASE', `${t.name}'s passphrase is shorter than ${MIN_PASSPHRASE_CHARS} characters`);
  }
  if (!Number.isInteger(input.threshold) || input.threshold < 1 || input.threshold > n) throw new CeremonyError('INVALID_CEREMONY', `the threshold must be between 1 and ${n}`);
  const dealt = await dealThresholdKey({ bits: input.bits ?? 2048, k: input.threshold, l: n });
  const ballotPublicKey = toBase64url(dealt.publicKeySpki);
  const shareFiles: ShareFile[] = [];
  const entries: TrusteeTranscript['trustees'] = [];
  for (const [i, t] of input.trustees.entries()) {
    const share = dealt.shares[i];
    if (!share || share.index !== i + 1) throw new Error('the deal returned shares out of order');
    const identity = trusteeIdentityOf(JSON.stringify(encodeShare(share)));
    const sealed = await encryptShare(share, t.passphrase, { label: `${t.name}, trustee ${share.index} of ${n}` });
    if (!sealed.ok) throw new CeremonyError(sealed.error.code === 'WEAK_PASSPHRASE' ? 'WEAK_PASSPHRASE' : 'INVALID_CEREMONY', `${t.name}: ${sealed.error.message}`);
    const protectedShare = sealed.value;
    shareFiles.push({ version: SHARE_FILE_VERSION, kind: 'evote-trustee-share', index: share.index, name: t.name, threshold: input.threshold, trustees: n, ballotPublicKey, protectedShare });
    entries.push({ index: share.index, name: t.name, identityKey: identity.publicKey, shareCommitment: shareCommitmentOf(protectedShare) });
  }
  const transcript: TrusteeTranscript = {
    version: TRANSCRIPT_VERSION,
    ballotPublicKey,
    threshold: input.threshold,
    params: { ...encodeThresholdParams(dealt.params) },
    trustees: entries,
    createdAt: (input.now ?? (() => new Date()))().toISOString(),
  };
  const bad = validateTranscript(transcript, ballotPublicKey);
  if (bad) throw new CeremonyError('INVALID_CEREMONY', bad.message);
  return { transcript, shareFiles };
}
