import { describe, expect, it } from 'vitest';
import { createSourceConnectionLimiter, OPEN_LIMIT_RETRY_AFTER_SECONDS, PENALTY_SECONDS } from '../../src/gateway/source-connection-limiter.ts';
import { leadingRequestId } from '../../src/gateway/validation.ts';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Admits and opens one connection; the admission's outcome. */
function connect(limiter: ReturnType<typeof createSourceConnectionLimiter>, source: string) {
  const a = limiter.admit(source);
  if (a.ok) limiter.opened(source);
  return a;
}

describe('per-source connection limits', () => {
  it('refuses the connection beyond the open limit until one closes; other sources have their own', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 3, newPerSecond: 100 }, c.now);
    for (let i = 0; i < 3; i++) expect(connect(limiter, '198.51.100.1').ok).toBe(true);
    expect(connect(limiter, '198.51.100.1')).toEqual({ ok: false, reason: 'open', retryAfterSeconds: OPEN_LIMIT_RETRY_AFTER_SECONDS });
    expect(connect(limiter, '198.51.100.2').ok).toBe(true);
    limiter.closed('198.51.100.1');
    expect(connect(limiter, '198.51.100.1').ok).toBe(true);
    expect(connect(limiter, '198.51.100.1').ok).toBe(false);
  });

  it('refuses a penalised source’s new connections for PENALTY_SECONDS, its open ones untouched, other sources not', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 1_000, newPerSecond: 4 }, c.now);
    expect(connect(limiter, 'flooder').ok).toBe(true);
    limiter.penalise('flooder');
    expect(connect(limiter, 'flooder')).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: PENALTY_SECONDS + 1 });
    expect(connect(limiter, 'neighbour').ok).toBe(true);
    c.advance(PENALTY_SECONDS * 1000);
    expect(connect(limiter, 'flooder').ok).toBe(false);
    c.advance(250);
    expect(connect(limiter, 'flooder').ok).toBe(true);
  });

  it('lets a burst of one second through, then refills at the rate, with a Retry-After that fits', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 1_000, newPerSecond: 4 }, c.now);
    for (let i = 0; i < 4; i++) expect(connect(limiter, 'a').ok).toBe(true);
    expect(connect(limiter, 'a')).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: 1 });
    c.advance(249);
    expect(connect(limiter, 'a').ok).toBe(false);
    c.advance(2);
    expect(connect(limiter, 'a').ok).toBe(true);
    expect(connect(limiter, 'a').ok).toBe(false);
  });

  it('rounds Retry-After up to whole seconds at slow rates', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 10, newPerSecond: 0.25 }, c.now);
    expect(connect(limiter, 'a').ok).toBe(false); // the bucket holds one second's worth: 0.25 of a connection
    expect(limiter.admit('a')).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: 3 });
  });

  it('closing and reconnecting does not reset the rate; an idle source is forgotten once its bucket is full', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 10, newPerSecond: 2 }, c.now);
    for (let i = 0; i < 2; i++) {
      expect(connect(limiter, 'a').ok).toBe(true);
      limiter.closed('a');
    }
    expect(connect(limiter, 'a')).toMatchObject({ ok: false, reason: 'rate' });
    c.advance(10_000);
    expect(limiter.trackedSources).toBe(1);
    // The next admission sweeps: `a` has nothing open and a full bucket again, so it is dropped.
    expect(connect(limiter, 'b').ok).toBe(true);
    expect(limiter.trackedSources).toBe(1);
    expect(connect(limiter, 'a').ok).toBe(true);
  });

  it('keeps a source with open connections through a sweep', () => {
    const c = clock();
    const limiter = createSourceConnectionLimiter({ maxOpen: 1, newPerSecond: 100 }, c.now);
    expect(connect(limiter, 'a').ok).toBe(true);
    c.advance(60_000);
    expect(connect(limiter, 'b').ok).toBe(true);
    expect(limiter.trackedSources).toBe(2);
    expect(connect(limiter, 'a')).toMatchObject({ ok: false, reason: 'open' });
  });
});

describe('leadingRequestId', () => {
  const id = (s: string) => leadingRequestId(Buffer.from(s));
  it('reads the id of a frame that starts with it, whatever follows', () => {
    expect(id('{"id":"r12","kind":"query","name":"election.list"}')).toBe('r12');
    expect(id('{"id":"x","kind":')).toBe('x');
  });
  it('gives up, for the full parse to decide, on anything else', () => {
    expect(id('{"kind":"query","id":"r1"}')).toBeUndefined();
    expect(id('{ "id":"r1"}')).toBeUndefined();
    expect(id('{"id":""}')).toBeUndefined();
    expect(id('{"id":"a\\"b"}')).toBeUndefined();
    expect(id('{"id":"é"}')).toBeUndefined();
    expect(id(`{"id":"${'a'.repeat(129)}"}`)).toBeUndefined();
    expect(id(`{"id":"${'a'.repeat(128)}"}`)).toBe('a'.repeat(128));
    expect(id('{"id":"unterminated')).toBeUndefined();
    expect(id('{"id":')).toBeUndefined();
  });
});
