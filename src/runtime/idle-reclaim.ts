/**
 * One memory-reducing garbage collection when the server turns idle after work. V8 collects its old
 * generation when it grows, not when traffic stops: after an election the heap held ~45 MB of
 * garbage and ~70 MB of committed pages for minutes (docs/operations.md, "Memory"). The check needs
 * no hook in the gateway: the event loop's utilization over the last interval says whether anything runs.
 */
import { readdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { mallocTrim } from './malloc-trim.ts';

export interface IdleReclaimOptions {
  /** How often the loop is looked at; an interval at most this busy is idle. */
  everyMs?: number;
  /** Event-loop utilization (0-1) at or under which an interval counts as idle. */
  idleUtilization?: number;
  /** Growth of the heap used or of resident memory since the last reclaim that makes one worth its pause. */
  growthBytes?: number;
}

export const IDLE_RECLAIM_EVERY_MS = 5_000;

/**
 * V8's collection "of all available garbage", which also gives back the young generation's and
 * empty pages (a plain `gc()` keeps them committed), through an in-process inspector session: no
 * port is opened and no flag is needed. Resolves false where node was built without the inspector.
 */
export function collectAllGarbage(): Promise<boolean> {
  return new Promise((resolve) => {
    const session = new Session();
    try {
      session.connect();
    } catch {
      resolve(false);
      return;
    }
    session.post('HeapProfiler.collectGarbage', (err) => {
      // Disconnecting inside the session's own callback hangs the process (Node 20).
      setImmediate(() => session.disconnect());
      resolve(!err);
    });
  });
}

const heapUsed = () => v8.getHeapStatistics().used_heap_size;
/** Threads of this process (Linux): a worker thread that ended left its malloc arena's free memory behind. */
const threadCount = (): number => {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return 0;
  }
};

/**
 * Once per idle spell that follows growth (and once after start): a collection of all available
 * garbage, then malloc_trim where glibc and koffi allow. The timer keeps no process alive.
 */
export function startIdleReclaim(opts: IdleReclaimOptions = {}): { stop(): void; readonly reclaims: number } {
  const { everyMs = IDLE_RECLAIM_EVERY_MS, idleUtilization = 0.1, growthBytes = 8 * 2 ** 20 } = opts;
  let last = performance.eventLoopUtilization();
  // Zero: start-up leaves garbage and compiler memory of its own.
  let heapAfter = 0;
  let rssAfter = 0;
  let threadsAfter = 0;
  let reclaims = 0;
  let reclaiming = false;
  const grown = () => heapUsed() - heapAfter >= growthBytes || process.memoryUsage.rss() - rssAfter >= 2 * growthBytes || threadCount() < threadsAfter;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (reclaiming || busy > idleUtilization || !grown()) return;
    reclaiming = true;
    void collectAllGarbage().then(() => {
      mallocTrim()?.();
      reclaiming = false;
      reclaims++;
      heapAfter = heapUsed();
      rssAfter = process.memoryUsage.rss();
      threadsAfter = threadCount();
    });
  }, everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    get reclaims() {
      return reclaims;
    },
  };
}
