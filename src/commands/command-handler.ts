/**
 * How a command is written: read, fold, decide, append with the expected revision, and on a
 * conflict start over from a fresh read (bounded). Batch writers that cannot afford a read per
 * event append with an expected revision themselves (docs/architecture.md, "Who writes events").
 */
import { isWrongExpectedRevision, type EventData, type EventStore, type ExpectedRevision } from '../eventstore/port.ts';
import type { Result } from '../domain/errors.ts';
import { domainError, isDomainError, type DomainError } from '../domain/errors.ts';

export interface Decider<S, C, E> {
  decide(command: C, state: S): E[] | DomainError;
  evolve(state: S, event: E): S;
  initialState: S;
}

/** A folded stream: the state after every event up to `revision` (-1 = no event). */
export interface Aggregate<S> {
  state: S;
  revision: number;
  position: number;
}

export const DEFAULT_MAX_RETRIES = 5;

/**
 * streamId → the latest folded state, LRU-bounded, so a command reads only events since the last one.
 * Entries are folded from committed events: stale means old, never wrong. One cache per event store.
 */
export class AggregateCache<S> {
  readonly #entries = new Map<string, Aggregate<S>>();
  constructor(readonly capacity = 32) {}

  get(streamId: string): Aggregate<S> | undefined {
    const hit = this.#entries.get(streamId);
    if (hit) {
      this.#entries.delete(streamId);
      this.#entries.set(streamId, hit);
    }
    return hit;
  }

  /** Keeps the newer of the cached and the offered aggregate (handlers may finish out of order). */
  set(streamId: string, aggregate: Aggregate<S>): void {
    if (this.capacity <= 0 || aggregate.revision < 0) return;
    const current = this.#entries.get(streamId);
    if (current && current.revision >= aggregate.revision) return;
    this.#entries.delete(streamId);
    this.#entries.set(streamId, aggregate);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.#entries.delete(streamId);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Events read per page when folding a stream: a huge stream is never held twice in memory. */
export const READ_PAGE = 10_000;

export async function loadAggregate<S, E>(
  store: EventStore,
  decider: Pick<Decider<S, unknown, E>, 'evolve' | 'initialState'>,
  streamId: string,
  cache?: AggregateCache<S>,
): Promise<Aggregate<S>> {
  const cached = cache?.get(streamId);
  let { state, revision, position } = cached ?? { state: decider.initialState, revision: -1, position: 0 };
  for (;;) {
    const page = await store.readStream(streamId, { fromRevision: revision + 1, limit: READ_PAGE });
    for (const recorded of page) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as E);
      revision = recorded.revision;
      position = recorded.position;
    }
    if (page.length < READ_PAGE) break;
  }
  const aggregate = { state, revision, position };
  cache?.set(streamId, aggregate);
  return aggregate;
}

export const expectedRevisionOf = (revision: number): ExpectedRevision => (revision < 0 ? 'no_stream' : revision);

export const toEventData = <E extends { type: string; data: unknown }>(event: E): EventData => ({ type: event.type, data: event.data });

export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * ceiling));
}

export function concurrencyConflict(streamId: string, attempts: number): DomainError {
  return domainError('CONCURRENCY_CONFLICT', `the stream kept changing during ${attempts} attempts; try again`, { streamId, attempts });
}

export interface HandledCommand<E> {
  events: E[];
  /** The stream's last revision after this command (-1 when the stream does not exist). */
  nextExpectedRevision: number;
  /** Position of the last event appended, or of the stream's last event when none was. */
  position: number;
}

export async function handleCommand<S, C, E extends { type: string; data: unknown }>(
  store: EventStore,
  decider: Decider<S, C, E>,
  streamId: string,
  command: C,
  opts: { maxRetries?: number; cache?: AggregateCache<S> } = {},
): Promise<Result<HandledCommand<E>>> {
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  for (let attempt = 0; ; attempt++) {
    const { state, revision, position } = await loadAggregate(store, decider, streamId, opts.cache);
    const decided = decider.decide(command, state);
    if (isDomainError(decided)) return { ok: false, error: decided };
    if (decided.length === 0) return { ok: true, value: { events: [], nextExpectedRevision: revision, position } };
    try {
      const appended = await store.append(streamId, decided.map(toEventData), { expectedRevision: expectedRevisionOf(revision) });
      opts.cache?.set(streamId, {
        state: decided.reduce(decider.evolve, state),
        revision: appended.nextExpectedRevision,
        position: appended.position,
      });
      return { ok: true, value: { events: decided, nextExpectedRevision: appended.nextExpectedRevision, position: appended.position } };
    } catch (err) {
      if (!isWrongExpectedRevision(err)) throw err;
      if (attempt >= maxRetries) return { ok: false, error: concurrencyConflict(streamId, attempt + 1) };
      await backoff(attempt);
    }
  }
}
