/**
 * Subscription into batches: wait for one event, then take what is already available, up to a max.
 */
import type { RecordedEvent } from '../eventstore/port.ts';

const IDLE = Symbol('idle');
const nextMacrotask = () => new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)));

export class MicroBatcher {
  /** A `next()` requested but not consumed: iterator calls must not be lost or doubled. */
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;
  private ended = false;

  constructor(private readonly iterator: AsyncIterator<RecordedEvent>) {}

  get done(): boolean {
    return this.ended;
  }

  async waitForEvent(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.peek();
    return !r.done;
  }

  async nextBatch(max: number): Promise<RecordedEvent[]> {
    const batch: RecordedEvent[] = [];
    if (this.ended) return batch;
    const first = await this.take();
    if (first.done) return batch;
    batch.push(first.value);
    while (batch.length < max) {
      const next = this.peek();
      const winner = await Promise.race([next, nextMacrotask()]);
      if (winner === IDLE) break;
      const r = await this.take();
      if (r.done) break;
      batch.push(r.value);
    }
    return batch;
  }

  private peek(): Promise<IteratorResult<RecordedEvent>> {
    this.pending ??= this.iterator.next();
    return this.pending;
  }

  private async take(): Promise<IteratorResult<RecordedEvent>> {
    const r = await this.peek();
    this.pending = undefined;
    if (r.done) this.ended = true;
    return r;
  }
}
