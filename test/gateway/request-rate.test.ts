import { describe, expect, it } from 'vitest';
import { frameCost, fullBudget, retryAfterMsOf, takeRequestToken } from '../../src/gateway/request-rate.ts';

describe('the per-connection request rate', () => {
  it('admits a second’s worth at once, refuses beyond it with a retry that finds a token, and refills at the rate', () => {
    const b = fullBudget(10, 0);
    for (let i = 0; i < 10; i++) expect(takeRequestToken(b, 10, 0)).toBe('ok');
    expect(takeRequestToken(b, 10, 0)).toBe('refuse');
    // One token spent past zero: two tokens' time (100 ms each) before a frame is admitted again.
    expect(retryAfterMsOf(b, 10)).toBe(200);
    expect(takeRequestToken(b, 10, 199)).toBe('refuse');
    expect(takeRequestToken(b, 10, 500)).toBe('ok');
  });

  it('cuts a client that keeps sending while refused, once it is a second’s worth below zero', () => {
    const b = fullBudget(10, 0);
    const outcomes = Array.from({ length: 25 }, () => takeRequestToken(b, 10, 0));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'refuse')).toHaveLength(10);
    expect(outcomes.slice(20)).toEqual(Array(5).fill('cut'));
  });

  it('never holds more than a second’s worth, however long the connection was quiet', () => {
    const b = fullBudget(10, 0);
    takeRequestToken(b, 10, 3_600_000);
    expect(b.tokens).toBe(9);
  });

  it('charges a frame one token and one more per whole 8 KiB', () => {
    expect([frameCost(0), frameCost(8191), frameCost(8192), frameCost(64 * 1024)]).toEqual([1, 1, 2, 9]);
    const b = fullBudget(10, 0);
    expect(takeRequestToken(b, 10, 0, frameCost(9 * 8192))).toBe('ok');
    expect(takeRequestToken(b, 10, 0, 1)).toBe('refuse');
  });
});
