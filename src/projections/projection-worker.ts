/**
 * One projection's live loop: subscribe from the checkpoint, micro-batch, apply exactly once, publish
 * after commit, retry with back-off (docs/projections.md).
 */
import type { EventStore, EventSubscription } from '../eventstore/port.ts';
import { matchesFilter } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { Notification, Projection } from './projection.ts';
import { applyBatchOnce, type Batch, type BatchOutcome } from './apply-batch.ts';
import { readCheckpoint } from './checkpoints.ts';
import { CloseSignal } from '../eventstore/close-signal.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { ProjectionObserver } from './read-cache.ts';

export interface WorkerOptions {
  store: EventStore;
  /** Default store.subscribe; the runner passes its shared tail. */
  subscribe?: (fromPosition: number) => EventSubscription;
  sql: SqlClient;
  projection: Projection;
  pubsub?: PubSub;
  batchSize: number;
  log: Logger;
  retry: { minMs: number; maxMs: number };
  onProgress: () => void;
  /** Told of every committed batch before its notifications go out (the read cache). */
  observer?: ProjectionObserver;
}

export interface WorkerError {
  message: string;
  code?: string;
  at: string;
  attempts: number;
}

const STOPPED = Symbol('stopped');
const TIMER = Symbol('timer');

export class ProjectionWorker {
  lastError: WorkerError | undefined;
  /** Batches up to here are applied silently: a rebuild's replayed transitions are not news. */
  muteThrough = 0;
  private stopping = false;
  private stopSignal = closedSignal();
  private loop: Promise<void> | undefined;
  private subscription: EventSubscription | undefined;
  private failures = 0;

  constructor(private readonly opts: WorkerOptions) {}

  get name(): string {
    return this.opts.projection.name;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.stopSignal = new CloseSignal();
    this.loop = this.runLoop();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.stopSignal.close();
    await this.subscription?.close().catch(() => {});
    await this.loop;
    this.loop = undefined;
  }

  private async runLoop(): Promise<void> {
    const { store, sql, projection, log } = this.opts;
    while (!this.stopping) {
      let sub: EventSubscription | undefined;
      try {
        const from = await readCheckpoint(sql, projection.name);
        this.opts.observer?.restarted(projection.name, from);
        // Unfiltered on purpose, so the checkpoint and lag move over unrelated events (docs/projections.md).
        sub = this.opts.subscribe ? this.opts.subscribe(from) : store.subscribe({ fromPosition: from });
        this.subscription = sub;
        const ended = await this.follow(sub, from);
        // A subscription that ends by itself (a closed store) must not turn into a busy loop.
        if (ended && !this.stopping) await this.pause(this.opts.retry.minMs);
      } catch (err) {
        if (this.stopping) break;
        this.recordFailure(err, 'projection subscription failed');
        await this.backoff();
      } finally {
        this.subscription = undefined;
        await sub?.close().catch(() => {});
      }
    }
    log.debug('projection stopped', { projection: projection.name });
  }

  private async follow(sub: EventSubscription, from: number): Promise<boolean> {
    const { projection, batchSize, log } = this.opts;
    const batcher = new MicroBatcher(sub[Symbol.asyncIterator]());
    let delivered = from;
    while (!this.stopping) {
      const woke = await this.stopSignal.race(batcher.waitForEvent(), STOPPED);
      if (woke === STOPPED) return false;
      if (!woke) return true; // the subscription ended: resubscribe from the checkpoint
      const events = await batcher.nextBatch(batchSize);
      const last = events.at(-1);
      if (!last) continue;
      const matching = events.filter((e) => matchesFilter(e, projection.filter));
      const started = performance.now();
      const outcome = await this.applyWithRetry({ from: delivered, events: matching, advanceTo: last.position });
      if (outcome === STOPPED) return false;
      if (outcome.kind === 'rewound') {
        this.muteThrough = Math.max(this.muteThrough, delivered);
        return false;
      }
      log.debug('projection batch', { projection: projection.name, events: events.length, applied: outcome.applied, ms: Math.round(performance.now() - started) });
      delivered = last.position;
      this.opts.observer?.applied(projection.name, matching, delivered);
      if (last.position > this.muteThrough) await this.publish(outcome.notifications);
    }
    return false;
  }

  private async applyWithRetry(batch: Batch): Promise<BatchOutcome | typeof STOPPED> {
    const { sql, projection } = this.opts;
    while (!this.stopping) {
      try {
        const outcome = await applyBatchOnce(sql, projection, batch);
        this.failures = 0;
        if (this.lastError) this.lastError = { ...this.lastError, attempts: 0 };
        if (outcome.kind === 'applied') this.opts.onProgress();
        return outcome;
      } catch (err) {
        this.recordFailure(err, 'projection batch failed', { from: batch.from, events: batch.events.length });
        if ((await this.backoff()) === STOPPED) return STOPPED;
      }
    }
    return STOPPED;
  }

  private async publish(notifications: Notification[]): Promise<void> {
    const { pubsub, log, projection } = this.opts;
    if (!pubsub || notifications.length === 0) return;
    // Sent together (in order on the one connection), so a hung Redis costs a batch one command
    // timeout, not one per notification; a down Redis refuses them at once.
    const results = await Promise.allSettled(notifications.map((n) => pubsub.publish(n.channel, n.message)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      // The rows are committed; a lost live message is repaired by subscribers re-reading them.
      log.warn('projection notifications not published', { projection: projection.name, dropped: failed.length, error: errorMessage(failed[0]!.reason) });
    }
  }

  private recordFailure(err: unknown, msg: string, fields: Record<string, unknown> = {}): void {
    this.failures++;
    const code = (err as { code?: unknown }).code;
    this.lastError = {
      message: errorMessage(err),
      ...(typeof code === 'string' ? { code } : {}),
      at: new Date().toISOString(),
      attempts: this.failures,
    };
    // Only the message and code: driver errors carry row values in `detail`, which may hold PII.
    this.opts.log.error(msg, { projection: this.name, error: this.lastError.message, errorCode: this.lastError.code, attempt: this.failures, ...fields });
  }

  private backoff(): Promise<typeof STOPPED | typeof TIMER> {
    const { minMs, maxMs } = this.opts.retry;
    return this.pause(Math.min(maxMs, minMs * 2 ** Math.max(0, this.failures - 1)));
  }

  private async pause(ms: number): Promise<typeof STOPPED | typeof TIMER> {
    const wait = timer(ms);
    return this.stopSignal.race(wait.fired, STOPPED).finally(wait.cancel);
  }
}

function closedSignal(): CloseSignal {
  const signal = new CloseSignal();
  signal.close();
  return signal;
}

function timer(ms: number): { fired: Promise<typeof TIMER>; cancel: () => void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<typeof TIMER>((resolve) => {
    handle = setTimeout(() => resolve(TIMER), ms);
  });
  return { fired, cancel: () => clearTimeout(handle) };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
