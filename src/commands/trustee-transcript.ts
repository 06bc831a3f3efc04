/**
 * What the domain cannot check of a ceremony transcript: that its threshold parameters parse and
 * describe the same RSA key, threshold and trustees as the transcript says.
 */
import { createPublicKey } from 'node:crypto';
import { domainError, type DomainError } from '../domain/errors.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import { parseThresholdParams } from '../crypto/threshold-rsa.ts';

export function checkTranscriptKeys(t: TrusteeTranscript): DomainError | undefined {
  const invalid = (message: string) => domainError('INVALID_TRUSTEES', message);
  const params = parseThresholdParams(t.params);
  if (!params.ok) return invalid("the transcript's threshold parameters do not parse");
  let jwk: { n?: string; e?: string };
  try {
    jwk = createPublicKey({ key: Buffer.from(t.ballotPublicKey, 'base64url'), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  } catch {
    return invalid("the transcript's ballot key is not an RSA public key");
  }
  const p = params.value;
  if (jwk.n === undefined || jwk.e === undefined || BigInt(`0x${Buffer.from(jwk.n, 'base64url').toString('hex')}`) !== p.n || BigInt(`0x${Buffer.from(jwk.e, 'base64url').toString('hex')}`) !== p.e) {
    return invalid("the threshold parameters are not for the transcript's ballot key");
  }
  if (p.k !== t.threshold || p.l !== t.trustees.length) return invalid('the threshold parameters name another threshold or number of trustees');
  return undefined;
}
