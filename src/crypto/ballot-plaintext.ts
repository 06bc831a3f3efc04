/**
 * What a voter encrypts to the counter: the prepared ballot message and its unblinded signature, length-prefixed.
 */
import { decodeBallotMessage, type BallotMessage } from './canonical.ts';
import { RSABSSA_PREFIX_BYTES, bytesEqual } from './primitives.ts';
import { concatBytes, utf8 } from './bytes.ts';
import type { CryptoResult } from './errors.ts';

export const BALLOT_PLAINTEXT_TAG = 'evote/ballot-plaintext/v1';
const TAG = utf8(BALLOT_PLAINTEXT_TAG);
const MAX_FIELD_BYTES = 16 * 1024;

export interface BallotPlaintext {
  /** Exactly the bytes the authority's signature covers: prefix(32) ‖ encodeBallotMessage(...). */
  preparedMessage: Uint8Array;
  signature: Uint8Array;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

export function encodeBallotPlaintext(p: BallotPlaintext): Uint8Array {
  return concatBytes(u32(TAG.length), TAG, u32(p.preparedMessage.length), p.preparedMessage, u32(p.signature.length), p.signature);
}

const malformed = (message: string): CryptoResult<never> => ({ ok: false, error: { kind: 'CryptoError', code: 'MALFORMED_MESSAGE', message } });

export function decodeBallotPlaintext(bytes: Uint8Array): CryptoResult<BallotPlaintext> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < 3; i++) {
    if (at + 4 > bytes.length) return malformed('ballot plaintext is truncated');
    const len = view.getUint32(at, false);
    at += 4;
    if (len > MAX_FIELD_BYTES || at + len > bytes.length) return malformed('ballot plaintext field length is out of range');
    fields.push(bytes.subarray(at, at + len));
    at += len;
  }
  if (at !== bytes.length) return malformed('ballot plaintext has trailing bytes');
  const [tag, preparedMessage, signature] = fields as [Uint8Array, Uint8Array, Uint8Array];
  if (!bytesEqual(tag, TAG)) return malformed('ballot plaintext has an unknown tag');
  return { ok: true, value: { preparedMessage, signature } };
}

/** The ballot message inside a prepared message (after the RFC 9474 random prefix). */
export function ballotMessageOf(preparedMessage: Uint8Array): CryptoResult<BallotMessage> {
  if (preparedMessage.length <= RSABSSA_PREFIX_BYTES) return malformed('prepared message is too short');
  return decodeBallotMessage(preparedMessage.subarray(RSABSSA_PREFIX_BYTES));
}
