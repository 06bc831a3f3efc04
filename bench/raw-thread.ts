/**
 * Worker entry for bench/raw-threads.ts: imports the key it was given, then on each message runs the
 * bare RSA private operation (src/tally/raw-probe.ts, the call the signing workers make) for that
 * many milliseconds and answers ops, wall time and its thread's CPU time.
 */
import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { rawPrivateOps } from '../src/tally/raw-probe.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';

const key = createPrivateKey({ key: Buffer.from(workerData as Uint8Array), format: 'der', type: 'pkcs8' });
parentPort?.on('message', (millis: number) => {
  const cpu0 = threadCpuNanos();
  const { ops, wallMillis } = rawPrivateOps(key, millis);
  const cpu1 = threadCpuNanos();
  parentPort?.postMessage({ ops, wallMillis, cpuNanos: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 });
});
parentPort?.postMessage('ready');
