/**
 * Turns an ESDB `subscribeToAll` stream (catch-up, then live) into the port's EventSubscription.
 *
 * A small pull queue instead of the Readable's own async iterator, because: close() must end a
 * pending `for await` cleanly even while the gRPC call is being cancelled (the client swallows the
 * cancellation error, so the Readable may never end by itself), and a slow consumer must pause
 * the feed rather than buffer a whole catch-up in memory.
 */
import type { Readable } from 'node:stream';
import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import type { EventFilter, EventSubscription, RecordedEvent } from './port.ts';
import { isAfter, isVisible, toRecordedEvent } from './eventstoredb-mapping.ts';

/** What we use of the client's AllStreamSubscription (a Readable of resolved events). */
export type AllStreamFeed = Readable & { unsubscribe(): Promise<void> };

export interface FeedOptions {
  fromPosition?: number;
  filter?: EventFilter;
  /** Pause the feed when this many events wait for the consumer. */
  highWaterMark?: number;
}

export function subscriptionFromFeed(feed: AllStreamFeed, opts: FeedOptions = {}): EventSubscription {
  const highWaterMark = opts.highWaterMark ?? 512;
  const buffered: RecordedEvent[] = [];
  let failure: unknown = undefined;
  let ended = false;
  let closed = false;
  // Never deliver at or before the checkpoint, and never twice: the server reads the checkpoint
  // position inclusively.
  let lastDelivered = opts.fromPosition;
  // Everyone waiting in next() (normally one consumer) is woken on any change and looks again.
  const waiters: Array<() => void> = [];

  const notify = (): void => {
    for (const wake of waiters.splice(0)) wake();
  };

  const onData = (resolved: AllStreamResolvedEvent): void => {
    const raw = resolved.event;
    if (!raw || closed) return;
    let event: RecordedEvent;
    try {
      event = toRecordedEvent(raw);
    } catch (err) {
      failure = err;
      feed.pause();
      notify();
      return;
    }
    if (!isAfter(event.position, lastDelivered) || !isVisible(event, opts.filter)) return;
    lastDelivered = event.position;
    buffered.push(event);
    if (buffered.length >= highWaterMark) feed.pause();
    notify();
  };
  const onError = (err: unknown): void => {
    failure ??= err;
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  feed.on('data', onData);
  feed.on('error', onError);
  feed.on('end', onEnd);
  feed.on('close', onEnd);

  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    feed.off('data', onData);
    feed.off('end', onEnd);
    feed.off('close', onEnd);
    // Keep an error listener: a late error from the cancelled call must not crash the process.
    feed.off('error', onError);
    feed.on('error', () => undefined);
    await feed.unsubscribe();
    feed.destroy();
  };

  async function next(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      if (closed) return { done: true, value: undefined };
      const event = buffered.shift();
      if (event) {
        if (buffered.length < highWaterMark / 2 && feed.isPaused() && failure === undefined) feed.resume();
        return { done: false, value: event };
      }
      if (failure !== undefined) {
        const err = failure;
        closed = true;
        await release();
        throw err;
      }
      if (ended) {
        closed = true;
        await release();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
      });
    }
  }

  const close = async (): Promise<void> => {
    closed = true;
    buffered.length = 0;
    notify();
    await release();
  };

  const iterator: AsyncIterator<RecordedEvent> = {
    next,
    return: async () => {
      await close();
      return { done: true, value: undefined };
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    close,
  };
}
