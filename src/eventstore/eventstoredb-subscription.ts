/**
 * An ESDB `subscribeToAll` stream as the port's EventSubscription, through a small pull queue so
 * close() ends a pending `for await` and a slow consumer pauses the feed (docs/eventstore.md).
 */
import type { Readable } from 'node:stream';
import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import type { EventFilter, EventSubscription, RecordedEvent } from './port.ts';
import { isAfter, isVisible, toRecordedEvent } from './eventstoredb-mapping.ts';

export type AllStreamFeed = Readable & { unsubscribe(): Promise<void> };

export interface FeedOptions {
  fromPosition?: number;
  filter?: EventFilter;
  highWaterMark?: number;
}

export function subscriptionFromFeed(feed: AllStreamFeed, opts: FeedOptions = {}): EventSubscription {
  const highWaterMark = opts.highWaterMark ?? 512;
  const buffered: RecordedEvent[] = [];
  let failure: unknown = undefined;
  let ended = false;
  let closed = false;
  // The server reads the checkpoint inclusively: never deliver at or before it, never twice.
  let lastDelivered = opts.fromPosition;
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
