/**
 * CPU time of the calling thread, for measuring a tally worker's cost per ballot whatever else
 * runs on the machine. Node 20 has no per-thread CPU clock (process.cpuUsage counts every thread
 * of the process; process.threadCpuUsage only arrives in Node 23.9), so this reads Linux's
 * /proc/thread-self/schedstat, whose first field is the thread's time on a CPU in nanoseconds.
 * The kernel brings that field up to date at each scheduler tick or switch, so one reading lags by
 * up to a tick (a few ms): sum it over many batches of tens of ms, not over a single ballot.
 * Undefined where that file does not exist: callers then report no per-thread figure.
 */
import { readFileSync } from 'node:fs';

export function threadCpuNanos(): number | undefined {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}
