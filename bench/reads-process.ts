/**
 * Child process of bench/reads.ts: `connections` clients (the client library), each a closed loop
 * of prepared queries for `ms`, started on 'go' so that every child's connections are open first.
 * Protocol over IPC: parent → ReadsInput; child → 'ready'; parent → 'go'; child → {report}.
 */
import { EvoteConnection } from '../src/client/connection.ts';
import { serveLoad } from './child-ipc.ts';

export interface ReadsInput {
  url: string;
  connections: number;
  ms: number;
  /** Cycled through, each connection starting at its own offset. */
  requests: { name: string; payload: Record<string, unknown> }[];
}

export interface ReadsReport {
  replies: number;
  failures: number;
  seconds: number;
}

export type FromReads = 'ready' | { report: ReadsReport } | { error: string };

async function run(input: ReadsInput, ready: () => Promise<void>): Promise<ReadsReport> {
  if (new URL(input.url).hostname !== '127.0.0.1') throw new Error('the read load runs against 127.0.0.1 only');
  const conns = await Promise.all(Array.from({ length: input.connections }, () => EvoteConnection.connect(input.url)));
  const report: ReadsReport = { replies: 0, failures: 0, seconds: 0 };
  await ready();
  const t0 = performance.now();
  const deadline = t0 + input.ms;
  await Promise.all(
    conns.map(async (c, w) => {
      for (let i = w * 7919; performance.now() < deadline; i++) {
        const r = input.requests[i % input.requests.length]!;
        await c.request('query', r.name, r.payload).then(
          () => report.replies++,
          () => report.failures++,
        );
      }
    }),
  );
  report.seconds = (performance.now() - t0) / 1000;
  await Promise.all(conns.map((c) => c.close()));
  return report;
}

serveLoad(run);
