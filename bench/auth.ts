/**
 * Full three-level voter logins (L1 secret code, L2 client HMAC, L3 X25519 + HKDF + proof, tokens)
 * through the real gateway, next to this machine's X25519 (key generation + agreement, what the
 * server does per login) and HMAC-SHA256 rates measured in the same run.
 *
 * The load generator runs in a child process by default (EVOTE_BENCH_LOGIN_PROCESSES, default 1;
 * two cost the machine more CPU per login, ~300 against ~220 µs, for no gain on two cores):
 * the gateway serves remote clients, and the reference client does as much crypto per login as the
 * server, so in the server's process it would be counted as the server's. With the clients apart,
 * this process's CPU time over the run is the server's cost per login (gateway, auth, the Redis
 * and PostgreSQL clients; Redis and PostgreSQL themselves run in their own processes). Options:
 * `processes: 0` runs the load in a worker thread of this process instead, `inProcess` in its
 * main thread. Last, the same login work without the gateway (bench/login-direct.ts): the
 * difference between the two per-login CPU figures is the gateway's own cost.
 *
 * 200 concurrent connections by default (EVOTE_BENCH_LOGIN_CONNECTIONS): with 50, about a fifth of
 * the two cores sat idle between round trips (event loop 78-88 % busy), so the figure measured the
 * clients' round-trip latency more than the server's capacity; a login rush at the opening of a
 * vote has far more voters at once.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { VoterCredential } from '../src/client/client-login.ts';
import { hmacSha256 } from '../src/crypto/hmac.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../src/crypto/x25519.ts';
import { against, type BenchResult } from './harness.ts';
import { runLoadWorker } from './worker-load.ts';
import { loginLoadProcesses } from './login-load-processes.ts';
import { directLoginCost } from './login-direct.ts';
import { prepareLoginLoad, type LoginLoadReport } from './login-drive.ts';
import { opsPerSecond, plantSecretCodes, registerClientApp, startedElection, type BenchSystem } from './election-setup.ts';

export function rawLoginCrypto(ms = 1_000): BenchResult[] {
  const peer = generateX25519KeyPair().publicKey;
  const key = new Uint8Array(randomBytes(32));
  const x25519 = opsPerSecond(ms, () => {
    const own = generateX25519KeyPair();
    x25519SharedSecret(own.privateKey, peer);
  });
  const hmac = opsPerSecond(ms, () => hmacSha256(key, 'a-voter-id-0123456789'));
  return [
    { name: 'raw X25519 key generation + agreement, one thread', rate: x25519, unit: 'ops' },
    { name: 'raw HMAC-SHA256 (32-byte key, short message), one thread', rate: hmac, unit: 'ops' },
  ];
}

export interface LoginBenchOptions {
  logins?: number;
  connections?: number;
  /** Load processes (default EVOTE_BENCH_LOGIN_PROCESSES or 1); 0 = a worker thread of this process. */
  processes?: number;
  /** The load in this process's main thread (the server's). */
  inProcess?: boolean;
}

const load = () => os.loadavg()[0]!.toFixed(1);

export async function loginBench(sys: BenchSystem, opts: LoginBenchOptions = {}): Promise<BenchResult[]> {
  const logins = opts.logins ?? Number(process.env.EVOTE_BENCH_LOGINS ?? 8_000);
  const connections = opts.connections ?? Number(process.env.EVOTE_BENCH_LOGIN_CONNECTIONS ?? 200);
  const processes = opts.processes ?? Number(process.env.EVOTE_BENCH_LOGIN_PROCESSES ?? 1);
  const raw = rawLoginCrypto();
  const voters = Math.min(logins, 10_000);
  const election = await startedElection(sys, voters);
  const codes = await plantSecretCodes(sys, election.electionId, election.voterIds);
  const client = await registerClientApp(sys);
  const creds: VoterCredential[] = election.voterIds.map((voterId, i) => ({ electionId: election.electionId, voterId, secretCode: codes[i]! }));
  const x25519 = raw[0]!;
  const loadBefore = load();

  if (opts.inProcess) {
    const { seconds } = await prepareLoginLoad({ url: sys.url, creds, client, logins, connections }).go();
    return [...raw, against({ name: `WS full three-level logins, ${connections} connections, client in the server thread`, rate: logins / seconds, unit: 'logins' }, x25519)];
  }
  if (processes === 0) {
    const { seconds } = await runLoadWorker<LoginLoadReport>('./login-load.ts', { url: sys.url, creds, client, logins, connections });
    return [...raw, against({ name: `WS full three-level logins, ${connections} connections, client in a worker thread`, rate: logins / seconds, unit: 'logins' }, x25519)];
  }

  const r = await loginLoadProcesses(processes, { url: sys.url, creds, client, logins, connections });
  const serverMsPerLogin = r.serverCpuMs / r.logins;
  const perLogin = (ms: number) => `${((ms / r.logins) * 1000).toFixed(0)} µs`;
  const thread = r.serverMainThreadCpuMs === undefined ? '' : ` (gateway thread ${perLogin(r.serverMainThreadCpuMs)})`;
  const redis = r.redisCpuMs === undefined ? '' : `; Redis server ${perLogin(r.redisCpuMs)} CPU/login`;
  const note = `load ${loadBefore} → ${load()}; server ${perLogin(r.serverCpuMs)} CPU/login${thread}, event loop ${(r.serverElu * 100).toFixed(0)} % busy; clients ${perLogin(r.clientCpuMs)} CPU/login${redis}`;
  const direct = await directLoginCost(sys.keyStore, creds, client);
  const directNote = direct.threadMicros === undefined ? undefined : `${direct.threadMicros.toFixed(0)} µs of main-thread CPU per login`;
  return [
    ...raw,
    against({ name: `WS full three-level logins, ${connections} connections, clients in ${processes} other process${processes === 1 ? '' : 'es'}`, rate: r.logins / r.seconds, unit: 'logins', note }, x25519),
    against({ name: 'WS full three-level logins per second of server CPU', rate: 1000 / serverMsPerLogin, unit: 'logins/CPU' }, x25519),
    ...(direct.threadMicros === undefined
      ? []
      : [against({ name: 'login work alone (src/auth called directly, no gateway), 50 at a time, per second of thread CPU', rate: 1e6 / direct.threadMicros, unit: 'logins/CPU', note: directNote }, x25519)]),
  ];
}
