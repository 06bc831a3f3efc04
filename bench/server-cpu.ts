/**
 * CPU time of the local PostgreSQL or Redis server's processes, read from /proc: a benchmark's work
 * on the server side (commits, index upkeep, the read models' statements, Redis commands) is CPU on
 * the same two cores as the client, and a rate per core must count it. Processes that exit between
 * two readings are lost, so this reads a window in which the system's pooled connections stay
 * open. Linux only; elsewhere (or when /proc is not readable) it reads as undefined.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type ServerProcess = 'postgres' | 'redis-server';

/** CPU milliseconds per process of every process of that name now (utime + stime). */
export function serverCpuSnapshot(name: ServerProcess): Map<number, number> | undefined {
  try {
    const ticksToMs = 10; // USER_HZ is 100 on every Linux this runs on.
    const out = new Map<number, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== name) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * ticksToMs);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** CPU ms the processes of that name used since the snapshot (processes born meanwhile count whole). */
export function serverCpuSince(name: ServerProcess, before: Map<number, number> | undefined): number | undefined {
  const after = serverCpuSnapshot(name);
  if (!before || !after) return undefined;
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}
