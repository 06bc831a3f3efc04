/**
 * The process's cache of hot public reads, kept current by the projections (docs/projections.md
 * "Read cache"): entries carry the generations of the (projection, election) pairs they were read
 * under; applied batches, notifications and a checkpoint poll bump those generations.
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import { Doorbell } from '../eventstore/doorbell.ts';
import { logElectionOf } from '../domain/log-entry.ts';
import { CHECKPOINT_TABLE } from './checkpoints.ts';

/**
 * A read depends on one projection's rows: of one election, of any election (`anyElection`), or,
 * with neither, only on what no event can change (dropped by the poll's and rebuilds' global bumps).
 */
export interface CacheDependency {
  projection: string;
  electionId?: string;
  anyElection?: true;
  /** Dropped once the read's `settled` says its value can no longer change this way. */
  untilSettled?: true;
}

/** What the projection runner tells its observer (src/projections/runner.ts). */
export interface ProjectionObserver {
  /** A batch is committed (by this process or, for its events at or below the checkpoint, another); `through` = last position delivered. */
  applied(projection: string, events: readonly RecordedEvent[], through: number): void;
  /** The worker (re)started from `from`: anything between may have changed unseen. */
  restarted(projection: string, from: number): void;
}

export interface ReadCacheOptions {
  /** Projections whose rows the cached reads come from: the only ones observed and polled. */
  projections: readonly string[];
  maxEntries?: number;
  /** Cap on the cached values' size, counted as their JSON length. */
  maxBytes?: number;
  /** How often the checkpoint poll runs (the staleness bound). */
  pollMs?: number;
}

export const DEFAULT_READ_CACHE = { maxEntries: 20_000, maxBytes: 32 * 2 ** 20, pollMs: 250 } as const;

interface Entry {
  value: unknown;
  bytes: number;
  deps: readonly CacheDependency[];
  gens: number[];
}

export interface ReadCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}

const ANY = '\u0000any';

export class ReadCache implements ProjectionObserver {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, { gens: number[]; value: Promise<unknown> }>();
  /** Bumped per (projection, election), per projection for "any election" reads, and per projection globally. */
  private readonly generations = new Map<string, number>();
  private readonly delivered = new Map<string, number>();
  private readonly progress = new Doorbell();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  readonly pollMs: number;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private poller: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly opts: ReadCacheOptions) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_READ_CACHE.maxEntries;
    this.maxBytes = opts.maxBytes ?? DEFAULT_READ_CACHE.maxBytes;
    this.pollMs = opts.pollMs ?? DEFAULT_READ_CACHE.pollMs;
    for (const p of opts.projections) this.delivered.set(p, 0);
  }

  /**
   * The cached value of `key`, or `load()`'s, kept while no dependency moved. Once `settled(value)`,
   * the `untilSettled` dependencies are dropped (e.g. a full board page no longer depends on new ballots).
   */
  async read<T>(key: string, deps: readonly CacheDependency[], load: () => Promise<T>, settled?: (value: T) => boolean): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.current(hit.deps, hit.gens)) {
      this.hits++;
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as T;
    }
    this.misses++;
    const gens = this.gensOf(deps);
    const joined = this.loading.get(key);
    // Only a load started under the same generations may be shared: an older one may predate an invalidation.
    if (joined && sameGens(joined.gens, gens)) return joined.value as Promise<T>;
    const value = load().then((v) => {
      const keep = settled?.(v) ? deps.map((d) => !d.untilSettled) : deps.map(() => true);
      this.store(
        key,
        v,
        deps.filter((_, i) => keep[i]),
        gens.filter((_, i) => keep[i]),
      );
      return v;
    });
    const entry = { gens, value };
    this.loading.set(key, entry);
    value.then(
      () => this.loading.get(key) === entry && this.loading.delete(key),
      () => this.loading.get(key) === entry && this.loading.delete(key),
    );
    return value;
  }

  applied(projection: string, events: readonly RecordedEvent[], through: number): void {
    if (!this.delivered.has(projection)) return;
    const touched = new Set<string>();
    for (const e of events) {
      const id = logElectionOf(e) ?? electionIdIn(e.data);
      if (id !== undefined) touched.add(id);
    }
    for (const id of touched) this.bump(depKey({ projection, electionId: id }));
    if (touched.size > 0) this.bump(anyKey(projection));
    this.deliver(projection, through);
  }

  restarted(projection: string, from: number): void {
    if (!this.delivered.has(projection)) return;
    this.bump(projection);
    this.deliver(projection, from);
  }

  /** A notification another process (or this one) published after committing: the election's reads of `projection` are stale. */
  notified(projection: string, electionId: string, position: number | undefined): void {
    const seen = this.delivered.get(projection);
    if (seen === undefined || (position !== undefined && seen >= position)) return;
    this.bump(depKey({ projection, electionId }));
    this.bump(anyKey(projection));
  }

  /**
   * Read-your-writes: the read models reflect `position` (the runner's waitFor said so); make sure
   * this process's cached reads do too, waiting up to `waitMs` for its own workers, then dropping
   * what they have not passed.
   */
  async reflect(position: number, waitMs = 100): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const generation = this.progress.generation;
      const behind = [...this.delivered].filter(([, through]) => through < position).map(([name]) => name);
      if (behind.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        for (const name of behind) this.bump(name);
        return;
      }
      await this.progress.wait(generation, left);
    }
  }

  /** Starts the checkpoint poll: a projection committed beyond what this process's worker has passed → its cached reads are dropped. */
  start(sql: SqlExecutor): void {
    if (this.poller) return;
    const names = [...this.delivered.keys()];
    const tick = () => {
      this.polling = this.pollOnce(sql, names)
        .catch(() => {
          // A failed poll cannot prove freshness: drop everything rather than serve beyond the bound.
          for (const name of names) this.bump(name);
        })
        .finally(() => {
          if (this.poller) this.poller = setTimeout(tick, this.pollMs).unref();
        });
    };
    this.poller = setTimeout(tick, this.pollMs).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.poller);
    this.poller = undefined;
    await this.polling;
  }

  stats(): ReadCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  private async pollOnce(sql: SqlExecutor, names: string[]): Promise<void> {
    const { rows } = await sql.query<{ name: string; position: number | string }>(`SELECT name, position FROM ${CHECKPOINT_TABLE} WHERE name = ANY($1)`, [names]);
    for (const r of rows) {
      if (Number(r.position) > (this.delivered.get(r.name) ?? 0)) this.bump(r.name);
    }
  }

  private deliver(projection: string, through: number): void {
    if (through > (this.delivered.get(projection) ?? 0)) this.delivered.set(projection, through);
    this.progress.ring();
  }

  private bump(key: string): void {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  private gen(key: string): number {
    return this.generations.get(key) ?? 0;
  }

  /** Per dependency: its own generation plus its projection's global one (both only grow, so the sum moves iff either does). */
  private gensOf(deps: readonly CacheDependency[]): number[] {
    return deps.map((d) => this.gen(depKey(d)) + this.gen(d.projection));
  }

  private current(deps: readonly CacheDependency[], gens: number[]): boolean {
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i] as CacheDependency;
      if (this.gen(depKey(d)) + this.gen(d.projection) !== gens[i]) return false;
    }
    return true;
  }

  private store(key: string, value: unknown, deps: readonly CacheDependency[], gens: number[]): void {
    // Loaded before an invalidation: already stale, and it must not replace a fresher entry.
    if (!this.current(deps, gens)) return;
    const bytes = key.length + (value === undefined ? 0 : JSON.stringify(value).length);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    deepFreeze(value);
    this.entries.set(key, { value, bytes, deps, gens });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}

const depKey = (d: CacheDependency): string =>
  d.electionId !== undefined ? `${d.projection}\u0000${d.electionId}` : d.anyElection ? anyKey(d.projection) : d.projection;
const anyKey = (projection: string): string => `${projection}${ANY}`;

function sameGens(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((g, i) => g === b[i]);
}

function electionIdIn(data: unknown): string | undefined {
  const id = (data as { electionId?: unknown } | null)?.electionId;
  return typeof id === 'string' ? id : undefined;
}

/** Cached values are shared by every reader: frozen so that none can change another's. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
