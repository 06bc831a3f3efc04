/**
 * The election fingerprint (src/crypto/election-fingerprint.ts) against a value computed outside
 * this code base (Python's hashlib over the documented encoding), and its human form.
 */
import { describe, it, expect } from 'vitest';
import { electionFingerprint, formatFingerprint, parseFingerprint } from '../../src/crypto/election-fingerprint.ts';

const keys = { electionId: 'élection-2031', authorityPublicKey: `MIIBIjAN${'A'.repeat(300)}`, ballotPublicKey: `MIIBIjAN${'B'.repeat(300)}`, logPublicKey: `${'C'.repeat(42)}A` };
// python3: h = sha256(); for f in ['evote/election-fingerprint/v1', *fields]: b = f.encode(); h.update(struct.pack('>I', len(b)) + b)
const EXPECTED = '9be095b1bcbbf6d0774e2336da6cffa7d56a9f3b4967755a9d33df0f4de807b3';

describe('election fingerprint', () => {
  it('is SHA-256 of the tag, the id and the three keys as length-prefixed UTF-8 fields', () => {
    expect(electionFingerprint(keys)).toEqual({ ok: true, value: EXPECTED });
  });

  it('changes with any one field, and with a field boundary moved', () => {
    const fp = (k: typeof keys) => (electionFingerprint(k) as { value: string }).value;
    for (const field of ['electionId', 'authorityPublicKey', 'ballotPublicKey', 'logPublicKey'] as const) {
      expect(fp({ ...keys, [field]: `${keys[field]}x` })).not.toBe(EXPECTED);
    }
    expect(fp({ ...keys, authorityPublicKey: keys.authorityPublicKey.slice(0, -1), ballotPublicKey: `A${keys.ballotPublicKey}` })).not.toBe(EXPECTED);
  });

  it('refuses a string that is not well-formed Unicode (it would share bytes with another)', () => {
    expect(electionFingerprint({ ...keys, electionId: 'e\uD800' })).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
  });

  it('is shown as 16 groups of 4 hex digits and read back however it is typed', () => {
    const shown = formatFingerprint(EXPECTED);
    expect(shown).toBe('9be0 95b1 bcbb f6d0 774e 2336 da6c ffa7 d56a 9f3b 4967 755a 9d33 df0f 4de8 07b3');
    expect(parseFingerprint(shown)).toBe(EXPECTED);
    expect(parseFingerprint(shown.toUpperCase().replace(/ /g, ':'))).toBe(EXPECTED);
    expect(parseFingerprint(`\n ${shown.replace(/ /g, '-')}\n`)).toBe(EXPECTED);
    for (const bad of ['', EXPECTED.slice(1), `${EXPECTED}0`, EXPECTED.replace('9', 'g')]) expect(parseFingerprint(bad)).toBeUndefined();
  });
});
