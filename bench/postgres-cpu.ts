/**
 * CPU time of the local PostgreSQL server's processes, read from /proc: a benchmark's work on the
 * server side (commits, index upkeep, the read models' statements) is CPU on the same two cores as
 * the client, and a rate per core must count it. Backends that exit between two readings are lost,
 * so this reads a window in which the system's pooled connections stay open. Linux only; elsewhere
 * (or when /proc is not readable) it reads as undefined.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds per process of every `postgres` process now (utime + stime). */
export function postgresCpuSnapshot(): Map<number, number> | undefined {
  try {
    const ticksToMs = 10; // USER_HZ is 100 on every Linux this runs on.
    const out = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), (Number(fields[11]) + Number(fields[12])) * ticksToMs);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** CPU ms the PostgreSQL processes used between two snapshots (processes born meanwhile count whole). */
export function postgresCpuSince(before: Map<number, number> | undefined): number | undefined {
  const after = postgresCpuSnapshot();
  if (!before || !after) return undefined;
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}
