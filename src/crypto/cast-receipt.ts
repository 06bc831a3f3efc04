/**
 * The server's Ed25519 acknowledgement of a cast, given once durably pooled: it lets a voter prove the
 * server accepted a ballot that never reached the log.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { fromBase64url, toBase64url } from './bytes.ts';
import { castReceiptMessage as receiptMessage } from './cast-receipt-core.ts';

export { CAST_RECEIPT_TYPE } from './cast-receipt-core.ts';

/** base64url Ed25519 signature over the receipt message. */
export function signCastReceipt(logPrivateKey: KeyObject, electionId: string, ballotHash: string): string {
  return toBase64url(new Uint8Array(sign(null, receiptMessage(electionId, ballotHash), logPrivateKey)));
}

/** Checks a receipt against the log public key published in ElectionCreated (raw 32 bytes, base64url). */
export function verifyCastReceipt(logPublicKey: string, electionId: string, ballotHash: string, signature: string): boolean {
  const sig = fromBase64url(signature);
  const raw = fromBase64url(logPublicKey);
  if (!sig || sig.length !== 64 || !raw || raw.length !== 32) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: logPublicKey }, format: 'jwk' });
    return verify(null, receiptMessage(electionId, ballotHash), key, sig);
  } catch {
    return false;
  }
}
