/**
 * Full three-level voter logins (L1 secret code, L2 client HMAC, L3 X25519 + HKDF + proof, tokens)
 * through the real gateway, next to this machine's X25519 (key generation + agreement, what the
 * server does per login) and HMAC-SHA256 rates measured in the same run.
 *
 * The load generator runs in a worker thread by default: the reference client does as much crypto
 * per login as the server, so in the server's own thread it would halve what is measured.
 */
import { randomBytes } from 'node:crypto';
import { EvoteConnection } from '../src/client/connection.ts';
import { loginVoter, type VoterCredential } from '../src/auth/client-login.ts';
import { hmacSha256 } from '../src/crypto/hmac.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../src/crypto/x25519.ts';
import { against, type BenchResult } from './harness.ts';
import { runLoadWorker } from './worker-load.ts';
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

export async function loginBench(sys: BenchSystem, opts: { logins?: number; connections?: number; inProcess?: boolean } = {}): Promise<BenchResult[]> {
  const logins = opts.logins ?? 4_000;
  const connections = opts.connections ?? 50;
  const raw = rawLoginCrypto();
  const voters = Math.min(logins, 5_000);
  const election = await startedElection(sys, voters);
  const codes = await plantSecretCodes(sys, election.electionId, election.voterIds);
  const client = await registerClientApp(sys);
  const creds: VoterCredential[] = election.voterIds.map((voterId, i) => ({ electionId: election.electionId, voterId, secretCode: codes[i]! }));

  let seconds: number;
  if (opts.inProcess) {
    const conns = await Promise.all(Array.from({ length: connections }, () => EvoteConnection.connect(sys.url)));
    await Promise.all(conns.map((c, i) => loginVoter(c, creds[i % creds.length]!, client)));
    let next = 0;
    const start = performance.now();
    await Promise.all(
      conns.map(async (c) => {
        for (let i = next++; i < logins; i = next++) await loginVoter(c, creds[i % creds.length]!, client);
      }),
    );
    seconds = (performance.now() - start) / 1000;
    await Promise.all(conns.map((c) => c.close()));
  } else {
    ({ seconds } = await runLoadWorker<{ seconds: number }>('./login-load.ts', { url: sys.url, creds, client, logins, connections }));
  }
  const where = opts.inProcess ? 'client in the server thread' : 'client in a worker thread';
  const x25519 = raw[0]!;
  return [...raw, against({ name: `WS full three-level logins, ${connections} connections, ${where}`, rate: logins / seconds, unit: 'logins' }, x25519)];
}
