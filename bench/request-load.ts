/**
 * Worker-thread load generator: sends prepared WebSocket requests over its own connections, a
 * closed loop per connection, so the client's work (ws framing, masking, JSON) does not share the
 * server's thread. Posts { seconds, failures } when done; a failed request is counted, not retried.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EvoteConnection } from '../src/client/connection.ts';

export interface PreparedRequest {
  kind: 'command' | 'query';
  name: string;
  payload: Record<string, unknown>;
  token?: string;
}

interface LoadInput {
  url: string;
  requests: PreparedRequest[];
  connections: number;
}

const input = workerData as LoadInput;
const conns = await Promise.all(Array.from({ length: input.connections }, () => EvoteConnection.connect(input.url)));
let next = 0;
let failures = 0;
const start = performance.now();
await Promise.all(
  conns.map(async (c) => {
    for (let i = next++; i < input.requests.length; i = next++) {
      const r = input.requests[i]!;
      await c.request(r.kind, r.name, r.payload, r.token ? { token: r.token } : undefined).catch(() => failures++);
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
await Promise.all(conns.map((c) => c.close()));
parentPort?.postMessage({ seconds, failures });
