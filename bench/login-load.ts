/**
 * Worker-thread load generator for bench/auth.ts: runs full three-level logins over its own
 * connections so the client's own crypto (X25519, HKDF, HMAC) uses another core than the server's
 * event loop. Posts { logins, seconds } when done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EvoteConnection } from '../src/client/connection.ts';
import { loginVoter, type ClientApp, type VoterCredential } from '../src/auth/client-login.ts';

interface LoadInput {
  url: string;
  creds: VoterCredential[];
  client: ClientApp;
  logins: number;
  connections: number;
}

const input = workerData as LoadInput;
const conns = await Promise.all(Array.from({ length: input.connections }, () => EvoteConnection.connect(input.url)));
// Warm-up: JIT, pools, caches.
await Promise.all(conns.map((c, i) => loginVoter(c, input.creds[i % input.creds.length]!, input.client)));
let next = 0;
const start = performance.now();
await Promise.all(
  conns.map(async (c) => {
    for (let i = next++; i < input.logins; i = next++) await loginVoter(c, input.creds[i % input.creds.length]!, input.client);
  }),
);
const seconds = (performance.now() - start) / 1000;
await Promise.all(conns.map((c) => c.close()));
parentPort?.postMessage({ logins: input.logins, seconds });
