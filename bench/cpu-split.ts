/**
 * Where a window's CPU went, from Linux's /proc: this process's threads one by one (schedstat, ns),
 * other processes by pid (stat, 10 ms ticks) and the whole machine (/proc/stat). Undefined off Linux.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on.

/** CPU ms of every thread of this process, by thread id (the main thread's id is the pid). */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        out.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]) / 1e6);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU ms (user + system) of the given processes, by pid; a pid that is gone is left out. */
export function processCpuMs(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // exited
    }
  }
  return out;
}

/** The machine's busy and total CPU ms over all cores since boot (undefined off Linux). */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = cpu[3]! + cpu[4]!;
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return undefined;
  }
}

/** after − before per key, summed over `keys` (default: every key of `after`; keys new in `after` count whole). */
export function deltaMs(before: Map<number, number>, after: Map<number, number>, keys: Iterable<number> = after.keys()): number {
  let sum = 0;
  for (const k of keys) sum += (after.get(k) ?? 0) - (before.get(k) ?? 0);
  return sum;
}
