/** The close that subscriptions' waits race against keeps nothing of a wait once its work settles. */
import { describe, it, expect } from 'vitest';
import { CloseSignal } from '../../src/eventstore/close-signal.ts';

const CLOSED = Symbol('closed');

describe('CloseSignal', () => {
  it("holds no wait once its work settled, where Promise.race on a pending promise keeps one per call", async () => {
    const signal = new CloseSignal();
    for (let i = 0; i < 1_000; i++) expect(await signal.race(Promise.resolve(i), CLOSED)).toBe(i);
    await expect(signal.race(Promise.reject(new Error('read failed')), CLOSED)).rejects.toThrow('read failed');
    expect(signal.waiting).toBe(0);
  });

  it('wakes pending waits with the close value, and a late failure of their work goes unhandled nowhere', async () => {
    const signal = new CloseSignal();
    let fail!: (err: Error) => void;
    const never = new Promise<number>((_, reject) => (fail = reject));
    const waits = [signal.race(never, CLOSED), signal.race(new Promise<number>(() => {}), CLOSED)];
    expect(signal.waiting).toBe(2);
    signal.close();
    expect(await Promise.all(waits)).toEqual([CLOSED, CLOSED]);
    expect(signal.waiting).toBe(0);
    fail(new Error('too late'));
    expect(await signal.race(Promise.reject(new Error('after close')), CLOSED)).toBe(CLOSED);
    expect(signal.isClosed).toBe(true);
  });
});
