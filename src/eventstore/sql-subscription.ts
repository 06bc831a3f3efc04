/**
 * Catch-up-then-live subscription over the SQL store: only reading `position > last delivered` makes
 * delivery exactly-once and in order.
 */
import type { SqlExecutor } from '../sql/client.ts';
import type { EventFilter, EventSubscription, RecordedEvent } from './port.ts';
import type { Doorbell } from './doorbell.ts';
import { readAllEvents } from './sql-reads.ts';
import { CloseSignal } from './close-signal.ts';

export interface SqlSubscriptionOptions {
  fromPosition: number;
  filter: EventFilter | undefined;
  pageSize: number;
  pollIntervalMs: number;
  onClose: (sub: SqlSubscription) => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class SqlSubscription implements EventSubscription {
  private lastDelivered: number;
  private page: RecordedEvent[] = [];
  private pageIndex = 0;
  private closed = false;
  private readonly closing = new CloseSignal();
  private pulling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlExecutor,
    private readonly bell: Doorbell,
    private readonly opts: SqlSubscriptionOptions,
  ) {
    this.lastDelivered = opts.fromPosition;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  next(): Promise<IteratorResult<RecordedEvent, undefined>> {
    const run = this.pulling.then(() => this.pull());
    this.pulling = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.page = [];
    this.closing.close();
    this.opts.onClose(this);
  }

  private async pull(): Promise<IteratorResult<RecordedEvent, undefined>> {
    for (;;) {
      if (this.closed) return DONE;
      while (this.pageIndex < this.page.length) {
        const event = this.page[this.pageIndex++];
        if (event && event.position > this.lastDelivered) {
          this.lastDelivered = event.position;
          return { done: false, value: event };
        }
      }
      const generation = this.bell.generation;
      const page = await this.untilClosed(
        readAllEvents(this.sql, { fromPosition: this.lastDelivered, limit: this.opts.pageSize, filter: this.opts.filter }),
      );
      if (page === undefined) return DONE;
      this.page = page;
      this.pageIndex = 0;
      if (page.length === 0) await this.untilClosed(this.bell.wait(generation, this.opts.pollIntervalMs));
    }
  }

  private untilClosed<T>(work: Promise<T>): Promise<T | undefined> {
    return this.closing.race(work, undefined);
  }
}
