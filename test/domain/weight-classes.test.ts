/**
 * Weight classes (src/domain/weight-classes.ts): the --weights list, a voter's CSV weight, the
 * ballot's class from which key verifies its signature, and the smallest class allowed at opening.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseWeightList, publishedClass, smallClass, validateWeightClasses, verifyingWeight, voterWeight, MIN_CLASS_VOTERS } from '../../src/domain/weight-classes.ts';

const key = (c: string) => `MIIBIjAN${c.repeat(300)}`;

describe('weight classes', () => {
  it('reads a --weights list sorted and refuses duplicates, zero, signs and a single class', () => {
    expect(parseWeightList('5,1,2')).toEqual([1, 2, 5]);
    for (const bad of ['1,1', '0,2', '-1,2', '1.5,2', '3', '1,,2', '1,2x']) expect(parseWeightList(bad)).toMatchObject({ code: 'INVALID_WEIGHTS' });
  });

  it('requires a distinct key per class, different from the election keys', () => {
    expect(validateWeightClasses([{ weight: 3, authorityPublicKey: key('E') }, { weight: 1, authorityPublicKey: key('D') }], [key('A')])).toEqual([
      { weight: 1, authorityPublicKey: key('D') },
      { weight: 3, authorityPublicKey: key('E') },
    ]);
    expect(validateWeightClasses([{ weight: 3, authorityPublicKey: key('D') }, { weight: 1, authorityPublicKey: key('D') }], [])).toMatchObject({ code: 'INVALID_ELECTION_KEYS' });
    expect(validateWeightClasses([{ weight: 3, authorityPublicKey: key('A') }, { weight: 1, authorityPublicKey: key('D') }], [key('A')])).toMatchObject({ code: 'INVALID_ELECTION_KEYS' });
    expect(validateWeightClasses([{ weight: 3, authorityPublicKey: 'short' }, { weight: 1, authorityPublicKey: key('D') }], [])).toMatchObject({ code: 'INVALID_ELECTION_KEYS' });
  });

  it("takes a voter's weight only when it names a class, with the line in the error", () => {
    expect(voterWeight(' 3 ', [1, 3], 2)).toBe(3);
    expect(voterWeight('2', [1, 3], 7)).toMatchObject({ code: 'INVALID_WEIGHT', details: { line: 7, classes: [1, 3] } });
    expect(voterWeight(undefined, [1, 3], 4)).toMatchObject({ code: 'INVALID_WEIGHT' });
    expect(voterWeight('', [1, 3], 4)).toMatchObject({ code: 'INVALID_WEIGHT' });
    expect(voterWeight(undefined, null, 4)).toBeNull();
    expect(voterWeight('', null, 4)).toBeNull();
    expect(voterWeight('2', null, 4)).toMatchObject({ code: 'INVALID_WEIGHT' });
  });

  it("gives a ballot the weight of the class whose key verifies it, none when no key does", () => {
    const classes = [{ weight: 1, key: key('D') }, { weight: 3, key: key('E') }];
    fc.assert(
      fc.property(fc.subarray([key('D'), key('E')]), (verifying) => {
        const found = verifyingWeight(classes, (k) => verifying.includes(k));
        if (verifying.length === 0) expect(found).toBeNull();
        else expect(found).toBe(verifying.includes(key('D')) ? 1 : 3);
      }),
    );
    // The election's single authority key is not a class key: a ballot signed under it has no weight.
    expect(verifyingWeight(classes, (k) => k === key('A'))).toBeNull();
  });

  it(`refuses to open with a class of fewer than ${MIN_CLASS_VOTERS} voters`, () => {
    const classes = [{ weight: 1, authorityPublicKey: key('D') }, { weight: 3, authorityPublicKey: key('E') }];
    expect(smallClass(classes, new Map([[1, 5], [3, 2]]))).toBeUndefined();
    expect(smallClass(classes, new Map([[1, 5], [3, 1]]))).toMatchObject({ code: 'WEIGHT_CLASS_TOO_SMALL', details: { weight: 3, voters: 1 } });
    expect(smallClass(classes, new Map([[1, 5]]))).toMatchObject({ code: 'WEIGHT_CLASS_TOO_SMALL', details: { weight: 3, voters: 0 } });
  });

  it("finds the published class a voter's weight names, and none for an unpublished or malformed weight", () => {
    const classes = [{ weight: 1, authorityPublicKey: key('D') }, { weight: 3, authorityPublicKey: key('E') }];
    expect(publishedClass(classes, 3)).toEqual({ weight: 3, authorityPublicKey: key('E') });
    expect(publishedClass(classes, 1)?.authorityPublicKey).toBe(key('D'));
    for (const other of [2, null, undefined, '3', 3.0000001]) expect(publishedClass(classes, other)).toBeUndefined();
  });
});
