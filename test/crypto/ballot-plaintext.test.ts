import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ballotMessageOf, decodeBallotPlaintext, encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { encodeBallotMessage } from '../../src/crypto/canonical.ts';
import { prepare } from '../../src/crypto/blind-rsa.ts';

describe('ballot plaintext encoding', () => {
  const prepared = prepare(encodeBallotMessage({ electionId: 'e1', choice: 'Yes, and\u0000more', n2Commitment: 'c0ffee' }));
  const signature = new Uint8Array(randomBytes(256));

  it('round-trips the prepared message and the signature, and yields the ballot message', () => {
    const decoded = decodeBallotPlaintext(encodeBallotPlaintext({ preparedMessage: prepared, signature }));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(Buffer.from(decoded.value.preparedMessage)).toEqual(Buffer.from(prepared));
    expect(Buffer.from(decoded.value.signature)).toEqual(Buffer.from(signature));
    const msg = ballotMessageOf(decoded.value.preparedMessage);
    expect(msg.ok && msg.value).toEqual({ electionId: 'e1', choice: 'Yes, and\u0000more', n2Commitment: 'c0ffee' });
  });

  it('refuses truncation, trailing bytes, a wrong tag and random bytes with a typed error', () => {
    const good = encodeBallotPlaintext({ preparedMessage: prepared, signature });
    for (const bad of [good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from([0])]), new Uint8Array(randomBytes(300))]) {
      const r = decodeBallotPlaintext(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('MALFORMED_MESSAGE');
    }
    const wrongTag = Buffer.from(good);
    wrongTag[5] = wrongTag[5]! ^ 1;
    expect(decodeBallotPlaintext(wrongTag).ok).toBe(false);
    expect(ballotMessageOf(new Uint8Array(10)).ok).toBe(false);
  });
});
