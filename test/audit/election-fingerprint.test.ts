/**
 * The election fingerprint (src/crypto/election-fingerprint.ts) against a value computed outside
 * this code base (Python's hashlib over the documented encoding), and its human form.
 */
import { createHash } from 'node:crypto';
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

// Version 2 (docs/audit.md): the fields below, written out by hand from the layout, hashed with node:crypto here and in Python.
const trustees = {
  threshold: 2,
  params: { scheme: 'shoup-rsa', n: 'Nmod', e: 'AQAB', k: 2, l: 2, v: 'Vgen', vi: ['vi1', 'vi2'] },
  trustees: [
    { index: 1, name: 'Alice', identityKey: `${'I'.repeat(42)}A`, shareCommitment: 'a'.repeat(64) },
    { index: 2, name: 'Bob', identityKey: `${'J'.repeat(42)}A`, shareCommitment: 'b'.repeat(64) },
  ],
};
const witnesses = [`${'W'.repeat(42)}B`, `${'V'.repeat(42)}A`];
const layoutHash = (fields: string[]) => {
  const h = createHash('sha256');
  for (const f of fields) {
    const b = Buffer.from(f, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return h.digest('hex');
};
const v1Fields = [keys.electionId, keys.authorityPublicKey, keys.ballotPublicKey, keys.logPublicKey];
const trusteeLayout = ['2', '2', 'Nmod', 'AQAB', 'Vgen', '1', 'Alice', trustees.trustees[0]!.identityKey, 'vi1', 'a'.repeat(64), '2', 'Bob', trustees.trustees[1]!.identityKey, 'vi2', 'b'.repeat(64)];
const sortedWitnesses = [`${'V'.repeat(42)}A`, `${'W'.repeat(42)}B`];

describe('election fingerprint, version 2', () => {
  const value = (k: Parameters<typeof electionFingerprint>[0]) => (electionFingerprint(k) as { value: string }).value;
  it('covers named witnesses, sorted (vector also computed by Python hashlib)', () => {
    const expected = layoutHash(['evote/election-fingerprint/v2', ...v1Fields, 'trustees', '0', 'witnesses', '2', ...sortedWitnesses]);
    expect(expected).toBe('441b0078c57ff8061eeba457ea8fa62b7fb07126079c87d31e957b6944e4de63');
    expect(value({ ...keys, witnesses })).toBe(expected);
    expect(value({ ...keys, witnesses: [...witnesses].reverse() })).toBe(expected);
  });

  it("covers the trustees' threshold, modulus, exponent, v and each trustee's index, name, identity key, v_i and commitment", () => {
    const withBoth = layoutHash(['evote/election-fingerprint/v2', ...v1Fields, 'trustees', ...trusteeLayout, 'witnesses', '2', ...sortedWitnesses]);
    expect(withBoth).toBe('0c6b421a44abed78f7476ac91bbdaa4c0ef654cd3e76830fd00dd69f3e4c5018');
    expect(value({ ...keys, trustees, witnesses })).toBe(withBoth);
    const trusteesOnly = layoutHash(['evote/election-fingerprint/v2', ...v1Fields, 'trustees', ...trusteeLayout, 'witnesses', '0']);
    expect(trusteesOnly).toBe('a21726fb842a05f90263772b2c7b9af0ccbd617b1fb6b90e2844af98028cd6f8');
    expect(value({ ...keys, trustees, witnesses: [] })).toBe(trusteesOnly);
    const renamed = { ...trustees, trustees: [trustees.trustees[0]!, { ...trustees.trustees[1]!, name: 'Eve' }] };
    expect(value({ ...keys, trustees: renamed })).not.toBe(trusteesOnly);
    expect(value({ ...keys, trustees: { ...trustees, threshold: 1 } })).not.toBe(trusteesOnly);
  });

  it('stays version 1 without trustees or witnesses, so old letters keep verifying', () => {
    expect(value({ ...keys, trustees: null, witnesses: [] })).toBe(EXPECTED);
  });

  it('refuses params whose verification keys do not match the trustees', () => {
    expect(electionFingerprint({ ...keys, trustees: { ...trustees, params: { ...trustees.params, vi: ['vi1'] } } })).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
  });
});

// Version 3 (docs/audit.md): version 2's fields, then the ballot form, method and seats; vectors from Python hashlib over the layout.
describe('election fingerprint, version 3', () => {
  const value = (k: Parameters<typeof electionFingerprint>[0]) => (electionFingerprint(k) as { value: string }).value;
  const schulze = { form: { kind: 'ranked', blank: false, full: false }, method: 'schulze', seats: 1 };
  const judgment = { form: { kind: 'graded', blank: true, scale: ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'] }, method: 'majority-judgment', seats: 1 };
  const approval = { form: { kind: 'approval', blank: false, min: 1, max: 3 }, method: 'approval', seats: 1 };

  it('appends the form (kind, blank, its parameters), the method and the seats to version 2', () => {
    const ranked = layoutHash(['evote/election-fingerprint/v3', ...v1Fields, 'trustees', '0', 'witnesses', '0', 'ballot', 'ranked', '0', '0', '', 'method', 'schulze', 'seats', '1']);
    expect(ranked).toBe('d3131794f8948537b14418f5495f7b334d75e4acfe4954d8f9e41959ae102765');
    expect(value({ ...keys, ballot: schulze })).toBe(ranked);
    const graded = layoutHash(['evote/election-fingerprint/v3', ...v1Fields, 'trustees', '0', 'witnesses', '2', ...sortedWitnesses, 'ballot', 'graded', '1', '5', 'Reject', 'Poor', 'Fair', 'Good', 'Excellent', 'method', 'majority-judgment', 'seats', '1']);
    expect(graded).toBe('d90c2ce94f5f088c82673292ffc5e3c0e7a30150e7e00e44bee601cf8f36eb53');
    expect(value({ ...keys, witnesses, ballot: judgment })).toBe(graded);
    expect(value({ ...keys, ballot: approval })).toBe('db1111ef1a3ecbf425eea0787963fc44f7b8d3db47843cb54f163460724609a2');
    expect(value({ ...keys, ballot: { form: { kind: 'single', blank: true }, method: 'plurality', seats: 1 } })).toBe('06d2839f72df1dfc971a9e7b8982ac46dcd44a8f11f984034e7c8b1531757dc0');
  });

  it('changes with the method, the seats, a limit or a grade name', () => {
    const base = value({ ...keys, ballot: schulze });
    expect(value({ ...keys, ballot: { ...schulze, method: 'irv' } })).not.toBe(base);
    expect(value({ ...keys, ballot: { ...schulze, method: 'stv-scottish', seats: 2 } })).not.toBe(value({ ...keys, ballot: { ...schulze, method: 'stv-scottish' } }));
    expect(value({ ...keys, ballot: { ...schulze, form: { ...schulze.form, maxRanks: 3 } } })).not.toBe(base);
    expect(value({ ...keys, ballot: { ...approval, form: { ...approval.form, max: undefined } } })).not.toBe(value({ ...keys, ballot: approval }));
    expect(value({ ...keys, ballot: { ...judgment, form: { ...judgment.form, scale: ['Reject', 'Poor', 'Fair', 'Good', 'Great'] } } })).not.toBe(value({ ...keys, ballot: judgment }));
  });

  it('leaves versions 1 and 2 as they were without ballot rules', () => {
    expect(value({ ...keys, ballot: null })).toBe(EXPECTED);
    expect(value({ ...keys, witnesses, ballot: null })).toBe('441b0078c57ff8061eeba457ea8fa62b7fb07126079c87d31e957b6944e4de63');
  });
});

// Version 4 (docs/audit.md): version 3's layout ('ballot' '-' for plurality), then the weight classes by weight; vectors from Python hashlib.
describe('election fingerprint, version 4 (weight classes)', () => {
  const value = (k: Parameters<typeof electionFingerprint>[0]) => (electionFingerprint(k) as { value: string }).value;
  const k1 = `MIIBIjAN${'D'.repeat(300)}`;
  const k3 = `MIIBIjAN${'E'.repeat(300)}`;
  const classes = [{ weight: 3, authorityPublicKey: k3 }, { weight: 1, authorityPublicKey: k1 }];

  it('appends the classes, sorted by weight, each with its key', () => {
    expect(value({ ...keys, weightClasses: classes })).toBe('cd46cf1a5dc0b33040fe2d72434de310a232bf8f6387830ce7b583d16f50be1b');
    const ranked = { form: { kind: 'ranked', blank: false, full: false }, method: 'schulze', seats: 1 };
    expect(value({ ...keys, ballot: ranked, weightClasses: classes })).toBe('6e8e8470f736a43cbc400a895fb76efe35f5ab1b4251e3881faa778818e857a0');
  });

  it('changes when a class key or weight is swapped', () => {
    const base = value({ ...keys, weightClasses: classes });
    expect(value({ ...keys, weightClasses: [{ weight: 1, authorityPublicKey: k3 }, { weight: 3, authorityPublicKey: k1 }] })).not.toBe(base);
    expect(value({ ...keys, weightClasses: [{ weight: 1, authorityPublicKey: k1 }, { weight: 2, authorityPublicKey: k3 }] })).not.toBe(base);
  });

  it('leaves version 1 unchanged without classes, and refuses a weight that is not an integer', () => {
    expect(value({ ...keys, weightClasses: null })).toBe(EXPECTED);
    expect(value({ ...keys, weightClasses: [] })).toBe(EXPECTED);
    expect(electionFingerprint({ ...keys, weightClasses: [{ weight: 1.5, authorityPublicKey: k1 }] })).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
  });
});
