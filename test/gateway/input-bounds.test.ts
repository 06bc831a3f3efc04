/**
 * The bounds JSON Schema cannot state (src/gateway/input-bounds.ts) and how the validator applies
 * them: nesting depth on the text before parsing, well-formed strings and exact numbers after the
 * payload schema, first error only.
 */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_ITEMS, findUnboundedValue, jsonShapeViolation } from '../../src/gateway/input-bounds.ts';
import { createRequestValidator } from '../../src/gateway/validation.ts';
import { CHOICE_MAX_LENGTH, MAX_CHOICES, MAX_EXPECTED_VOTERS, MIN_CHOICES, THEME_MAX_LENGTH } from '../../src/domain/election.ts';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('jsonShapeViolation', () => {
  const deeper = (text: string, max: number) => jsonShapeViolation(text, max, 1_000) !== undefined;

  it('counts brackets outside strings only', () => {
    expect(deeper(nested(8), 8)).toBe(false);
    expect(deeper(nested(9), 8)).toBe(true);
    expect(deeper(`{"a":"${'['.repeat(100)}"}`, 2)).toBe(false);
    // An escaped quote does not end the string; the brackets after it are still inside.
    expect(deeper(`{"a":"\\"${'{'.repeat(100)}"}`, 2)).toBe(false);
    expect(deeper(`{"a":"x\\\\\\"${'{'.repeat(100)}"}`, 2)).toBe(false);
    // An escaped backslash does: what follows is outside.
    expect(deeper(`{"a":"\\\\"${',{'.repeat(3)}`, 2)).toBe(true);
    expect(deeper('{"a":[{"b":[{}]}]}', 5)).toBe(false);
    expect(deeper('{"a":[{"b":[{}]}]}', 4)).toBe(true);
    expect(deeper('"unterminated [[[[[', 2)).toBe(false);
  });

  it('counts members and elements by the commas outside strings', () => {
    expect(jsonShapeViolation(`[${Array(MAX_JSON_ITEMS + 1).fill(1).join(',')}]`)).toBeUndefined();
    expect(jsonShapeViolation(`[${Array(MAX_JSON_ITEMS + 2).fill(1).join(',')}]`)).toEqual({ maxItems: MAX_JSON_ITEMS });
    expect(jsonShapeViolation(`["${','.repeat(10_000)}"]`)).toBeUndefined();
  });

  it('lets the largest real message through: election.create at its schema limits', () => {
    const text = JSON.stringify({ id: 'x'.repeat(128), kind: 'command', name: 'election.create', token: 't'.repeat(512), payload: { theme: '€'.repeat(THEME_MAX_LENGTH), choices: Array.from({ length: MAX_CHOICES }, (_, i) => `${i}`.padEnd(CHOICE_MAX_LENGTH, '€')), expectedVoters: 1, electionId: 'e'.repeat(64) } });
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    expect(jsonShapeViolation(text)).toBeUndefined();
  });

});

describe('findUnboundedValue', () => {
  it('finds lone surrogates in values and keys, with the path', () => {
    expect(findUnboundedValue({ a: ['ok', 'x\uD800'] })).toEqual({ instancePath: '/a/1', message: expect.stringContaining('well-formed') });
    expect(findUnboundedValue({ a: { '\uDC00': 1 } })).toMatchObject({ instancePath: '/a' });
    expect(findUnboundedValue({ a: '💥 \uD83D\uDCA5 é' })).toBeUndefined();
  });

  it('finds numbers that are not finite or beyond ±(2^53 − 1)', () => {
    for (const n of [1e308, -1e308, Infinity, -Infinity, NaN, 2 ** 53, -(2 ** 53)]) {
      expect(findUnboundedValue({ n }), String(n)).toMatchObject({ instancePath: '/n' });
    }
    for (const n of [0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) expect(findUnboundedValue({ n }), String(n)).toBeUndefined();
  });
});

describe('the request validator', () => {
  const validator = createRequestValidator();
  const frame = (payload: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ id: 'r', kind: 'query', name: 'election.get', payload, ...extra });

  it('refuses JSON nested deeper than the limit before parsing it, as BAD_JSON', () => {
    const text = `{"id":"r","kind":"query","name":"election.get","payload":{"electionId":${nested(MAX_JSON_DEPTH)}}}`;
    expect(validator.parse(text)).toMatchObject({ ok: false, id: null, error: { code: 'BAD_JSON', details: { maxDepth: MAX_JSON_DEPTH } } });
    // 100,000 levels: refused by the scan, never handed to JSON.parse.
    expect(validator.parse(nested(100_000))).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
    const manyKeys = `{"id":"r","kind":"query","name":"election.get","payload":{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":1`).join(',')}}}`;
    expect(validator.parse(manyKeys)).toMatchObject({ ok: false, id: null, error: { code: 'BAD_JSON', details: { maxItems: MAX_JSON_ITEMS } } });
  });

  it('refuses an envelope whose id or token is not well-formed Unicode', () => {
    expect(validator.parse(frame({}, { id: 'a\uD800' }))).toMatchObject({ ok: false, id: null, error: { code: 'BAD_ENVELOPE' } });
    expect(validator.parse(frame({}, { token: '\uDFFFxxxxxxxxxxxxxxxxxx' }))).toMatchObject({ ok: false, id: 'r', error: { code: 'BAD_ENVELOPE' } });
  });

  it('answers INVALID_PAYLOAD for a lone surrogate or an inexact number in a payload the schema accepts', () => {
    const create = validator.parse(JSON.stringify({ id: 'c', kind: 'command', name: 'election.create', payload: {} }));
    if (!create.ok) throw new Error('expected a valid envelope');
    const check = (payload: Record<string, unknown>) => validator.checkPayload(create.entry, payload);
    expect(check({ theme: 'Board', choices: ['a', 'b'], expectedVoters: 3 })).toBeUndefined();
    expect(check({ theme: 'Bo\uD800ard', choices: ['a', 'b'], expectedVoters: 3 })).toMatchObject({ code: 'INVALID_PAYLOAD', details: { errors: [{ instancePath: '/theme' }] } });
    expect(check({ theme: 'Board', choices: ['a', '\uDBFF'], expectedVoters: 3 })).toMatchObject({ code: 'INVALID_PAYLOAD', details: { errors: [{ instancePath: '/choices/1' }] } });
  });

  it('holds election.create to the same limits as the election decider', () => {
    const create = validator.parse(JSON.stringify({ id: 'c', kind: 'command', name: 'election.create', payload: {} }));
    if (!create.ok) throw new Error('expected a valid envelope');
    const check = (theme: string, choices: string[], expectedVoters = 3) => validator.checkPayload(create.entry, { theme, choices, expectedVoters })?.code;
    const many = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    expect(check('x'.repeat(THEME_MAX_LENGTH), many(MAX_CHOICES), MAX_EXPECTED_VOTERS)).toBeUndefined();
    expect(check('x'.repeat(THEME_MAX_LENGTH + 1), ['a', 'b'])).toBe('INVALID_PAYLOAD');
    expect(check('T', many(MIN_CHOICES - 1))).toBe('INVALID_PAYLOAD');
    expect(check('T', many(MAX_CHOICES + 1))).toBe('INVALID_PAYLOAD');
    expect(check('T', ['a', 'b'.repeat(CHOICE_MAX_LENGTH + 1)])).toBe('INVALID_PAYLOAD');
    expect(check('T', ['a', 'b'], MAX_EXPECTED_VOTERS + 1)).toBe('INVALID_PAYLOAD');
  });

  it('reports only the first schema error, however many extra keys a payload carries', () => {
    const parsed = validator.parse(frame({}));
    if (!parsed.ok) throw new Error('expected a valid envelope');
    // More than a frame can carry (the scan refuses those): the schema check alone stays bounded.
    const payload = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    expect(validator.checkPayload(parsed.entry, payload)?.details).toEqual({ errors: [expect.objectContaining({ instancePath: '' })] });
  });
});
