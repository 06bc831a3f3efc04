/** Memory given back once the server turns idle after work (why and figures: docs/operations.md, "Memory"). */
import { readdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { mallocTrim } from './malloc-trim.ts';

export interface IdleReclaimOptions {
  everyMs?: number;
  /** Event-loop utilization (0-1) of an interval at or under which it counts as idle. */
  idleUtilization?: number;
  /** Growth of the heap used (twice this for resident memory) since the last reclaim that is worth one. */
  growthBytes?: number;
}

export const IDLE_RECLAIM_EVERY_MS = 5_000;

/** V8's collection "of all available garbage", which gives pages back (`gc()` keeps them), via an in-process inspector session. */
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
const threadCount = (): number => {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return 0;
  }
};

/** Once per idle spell after growth, an ended thread, or start: that collection, then malloc_trim. */
export function startIdleReclaim(opts: IdleReclaimOptions = {}): { stop(): void; readonly reclaims: number } {
  const { everyMs = IDLE_RECLAIM_EVERY_MS, idleUtilization = 0.1, growthBytes = 8 * 2 ** 20 } = opts;
  let last = performance.eventLoopUtilization();
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
