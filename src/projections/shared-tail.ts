/**
 * One read of the log's tail shared by every projection worker of a process; a reader behind the
 * window reads privately until it catches up (docs/projections.md "Shared tail").
 */
import type { EventStore, EventSubscription, RecordedEvent } from '../eventstore/port.ts';
import { CloseSignal } from '../eventstore/close-signal.ts';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class SharedTail {
  private upstream: EventSubscription | undefined;
  private upstreamIterator: AsyncIterator<RecordedEvent> | undefined;
  private buffer: RecordedEvent[] = [];
  /** Index of the oldest kept event (trimmed lazily to keep shifts O(1)). */
  private head = 0;
  private coveredFrom = Infinity;
  private pulling: Promise<boolean> | undefined;
  private readonly readers = new Set<TailReader>();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 4_096,
  ) {}

  subscribe(fromPosition: number): EventSubscription {
    const reader = new TailReader(this, fromPosition);
    this.readers.add(reader);
    return reader;
  }

  after(cursor: number): RecordedEvent | 'gap' | 'none' {
    if (!this.upstream) return 'none';
    if (cursor < this.coveredFrom) return 'gap';
    let lo = this.head;
    let hi = this.buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.buffer[mid] as RecordedEvent).position <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return this.buffer[lo] ?? 'none';
  }

  privateSubscription(fromPosition: number): EventSubscription {
    return this.store.subscribe({ fromPosition });
  }

  covers(cursor: number): boolean {
    return this.upstream !== undefined && cursor >= this.coveredFrom;
  }

  /** Reads one more event from upstream (one read at a time, shared); false when upstream ended. */
  pull(startAt: number): Promise<boolean> {
    if (!this.upstream) {
      this.upstream = this.store.subscribe({ fromPosition: startAt });
      this.upstreamIterator = this.upstream[Symbol.asyncIterator]();
      this.coveredFrom = startAt;
    }
    const iterator = this.upstreamIterator as AsyncIterator<RecordedEvent>;
    this.pulling ??= iterator
      .next()
      .then(
        (r) => {
          if (r.done) {
            this.reset();
            return false;
          }
          this.buffer.push(r.value);
          if (this.buffer.length - this.head > this.capacity) {
            this.coveredFrom = (this.buffer[this.head] as RecordedEvent).position;
            this.head++;
            if (this.head >= this.capacity) {
              this.buffer = this.buffer.slice(this.head);
              this.head = 0;
            }
          }
          return true;
        },
        (err: unknown) => {
          this.reset();
          throw err;
        },
      )
      .finally(() => {
        this.pulling = undefined;
      });
    return this.pulling;
  }

  release(reader: TailReader): void {
    this.readers.delete(reader);
    if (this.readers.size === 0) this.reset();
  }

  private reset(): void {
    const upstream = this.upstream;
    this.upstream = undefined;
    this.upstreamIterator = undefined;
    this.buffer = [];
    this.head = 0;
    this.coveredFrom = Infinity;
    void upstream?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers].map((r) => r.close()));
    this.reset();
  }
}

class TailReader implements EventSubscription {
  private closed = false;
  private own: { sub: EventSubscription; iterator: AsyncIterator<RecordedEvent> } | undefined;
  private readonly closing = new CloseSignal();

  constructor(
    private readonly tail: SharedTail,
    private cursor: number,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.close();
    await this.dropOwn();
    this.tail.release(this);
  }

  private async dropOwn(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await own?.sub.close().catch(() => {});
  }

  private deliver(event: RecordedEvent): IteratorResult<RecordedEvent, undefined> {
    this.cursor = event.position;
    return { done: false, value: event };
  }

  private async next(): Promise<IteratorResult<RecordedEvent, undefined>> {
    for (;;) {
      if (this.closed) return DONE;
      if (this.own) {
        if (this.tail.covers(this.cursor)) {
          await this.dropOwn(); // caught up: the shared window has everything after the cursor
          continue;
        }
        const r = await this.closing.race(this.own.iterator.next(), DONE);
        if (r.done) return DONE;
        return this.deliver(r.value);
      }
      const found = this.tail.after(this.cursor);
      if (found === 'gap') {
        const own = this.tail.privateSubscription(this.cursor);
        this.own = { sub: own, iterator: own[Symbol.asyncIterator]() };
        continue;
      }
      if (found !== 'none') return this.deliver(found);
      const more = await this.closing.race(this.tail.pull(this.cursor), DONE);
      if (more === DONE || more === false) return DONE;
    }
  }
}
