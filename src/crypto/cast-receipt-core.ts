/** What the log key signs when it acknowledges a cast, with no Node built-in (the booth checks it with WebCrypto). */
import { canonicalJsonBytes } from './canonical.ts';

export const CAST_RECEIPT_TYPE = 'evote/cast-receipt/v1';

/** Canonical JSON {type, electionId, ballotHash}: the bytes of the Ed25519 signature. */
export function castReceiptMessage(electionId: string, ballotHash: string): Uint8Array {
  return canonicalJsonBytes({ type: CAST_RECEIPT_TYPE, electionId, ballotHash });
}
