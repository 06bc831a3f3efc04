/**
 * The login load itself, shared by the worker-thread entry (login-load.ts) and the child-process
 * entry (login-load-process.ts): opens `connections` WebSockets, warms up (JIT, pools, caches)
 * with one login each, waits for `go`, then runs `logins` full three-level logins spread over the
 * connections. Reports wall time and this thread's or process's CPU time over the timed part.
 *
 * Each timed login uses its own fresh client X25519 pair, made during the warm-up: a client's key
 * generation is the client's cost, not the gateway's, and on this shared 2-core machine the load
 * generator's CPU is taken from the server under test. The server's work is the same either way.
 */
import { EvoteConnection } from '../src/client/connection.ts';
import { loginVoter, type ClientApp, type VoterCredential } from '../src/client/client-login.ts';
import { generateX25519KeyPair, type X25519KeyPair } from '../src/crypto/x25519.ts';

export interface LoginLoadInput {
  url: string;
  creds: VoterCredential[];
  client: ClientApp;
  logins: number;
  connections: number;
}

export interface LoginLoadReport {
  logins: number;
  seconds: number;
  /** CPU time (user + system) of the process running the load, over the timed part. */
  cpuMs: number;
}

export interface LoginLoad {
  /** Resolves when every connection is open and has logged in once. */
  ready: Promise<void>;
  /** Starts the timed logins. */
  go(): Promise<LoginLoadReport>;
}

export function prepareLoginLoad(input: LoginLoadInput): LoginLoad {
  let conns: EvoteConnection[] = [];
  let keyPairs: X25519KeyPair[] = [];
  const cred = (i: number) => input.creds[i % input.creds.length]!;
  const ready = (async () => {
    conns = await Promise.all(Array.from({ length: input.connections }, () => EvoteConnection.connect(input.url)));
    // Warm-up logins use the last credentials, the timed ones start at the first.
    await Promise.all(conns.map((c, i) => loginVoter(c, cred(input.creds.length - 1 - i), input.client)));
    keyPairs = Array.from({ length: input.logins }, () => generateX25519KeyPair());
  })();
  return {
    ready,
    async go() {
      await ready;
      let next = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      await Promise.all(
        conns.map(async (c) => {
          for (let i = next++; i < input.logins; i = next++) await loginVoter(c, cred(i), input.client, { keyPair: keyPairs[i] });
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpu0);
      await Promise.all(conns.map((c) => c.close()));
      return { logins: input.logins, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
  };
}
