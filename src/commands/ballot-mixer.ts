/**
 * Optional mixing of casts (DESIGN.md step 5): hold appends until `k` are pending or `maxWaitMs`
 * passed since the first one, then issue them in a crypto-random order. Each is its own append
 * call (an N1 that lost a race must not fail the others), all issued in the same tick so the SQL
 * store's group commit writes them in one transaction, in the shuffled order. Each caller is
 * answered only when its own append settled, so a receipt always names a committed ballot.
 *
 * Why: without mixing, log order = arrival order, and whoever sees both the network and the log
 * can line a connection up with its ballot. Mixing widens that to a batch of k.
 */
import { randomInt } from 'node:crypto';
import type { AppendResult, EventData, EventStore, ExpectedRevision } from '../eventstore/port.ts';
import type { AppendFn } from './cast-ballot.ts';

export interface BallotMixerOptions {
  /** Appends held until this many are pending (≥ 2 to mix at all). */
  k: number;
  /** ...or until this long after the first pending one arrived. */
  maxWaitMs: number;
  /** Uniform integer in [0, max): injected only by tests; default crypto.randomInt. */
  randomInt?: (max: number) => number;
}

export interface BallotMixer {
  append: AppendFn;
  /** Issues whatever is pending now. */
  flush(): void;
  /** Flushes and waits for every issued append to settle. */
  close(): Promise<void>;
  readonly pending: number;
}

interface Held {
  streamId: string;
  events: EventData[];
  expectedRevision: ExpectedRevision;
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** Fisher–Yates with an unbiased integer source. */
export function shuffle<T>(items: T[], random: (max: number) => number = randomInt): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export function createBallotMixer(store: EventStore, opts: BallotMixerOptions): BallotMixer {
  const k = Math.max(1, Math.floor(opts.k));
  let held: Held[] = [];
  let timer: NodeJS.Timeout | undefined;
  const issued = new Set<Promise<unknown>>();

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = shuffle(held, opts.randomInt);
    held = [];
    for (const h of batch) {
      const p = store.append(h.streamId, h.events, { expectedRevision: h.expectedRevision }).then(h.resolve, h.reject);
      issued.add(p);
      void p.finally(() => issued.delete(p));
    }
  };

  return {
    append(streamId, events, expectedRevision) {
      return new Promise<AppendResult>((resolve, reject) => {
        held.push({ streamId, events, expectedRevision, resolve, reject });
        if (held.length >= k) flush();
        else if (!timer) {
          timer = setTimeout(flush, opts.maxWaitMs);
          // A held cast must not keep a finished process alive; close() flushes it.
          timer.unref();
        }
      });
    },
    flush,
    async close() {
      flush();
      await Promise.allSettled([...issued]);
    },
    get pending() {
      return held.length;
    },
  };
}
