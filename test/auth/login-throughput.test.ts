/**
 * Informal measurement (not a pass/fail benchmark): full three-level logins per second through the
 * real gateway (PostgreSQL key store, Redis sessions) from 50 concurrent connections, next to the
 * X25519 and HMAC operations per second of this machine measured in the same run.
 * Opt-in: EVOTE_AUTH_BENCH=1 npx vitest run test/auth/login-throughput.test.ts
 * (EVOTE_AUTH_BENCH_LOGINS, default 4,000; EVOTE_AUTH_BENCH_PROCESSES, default 1).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { loginVoter, type ClientApp, type VoterCredential } from '../../src/auth/client-login.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { hmacSha256 } from '../../src/crypto/hmac.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../../src/crypto/x25519.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { generateX25519KeyPairJwk, x25519SharedSecretJwk } from '../../src/auth/x25519-jwk.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

const enabled = process.env.EVOTE_AUTH_BENCH === '1';
const LOGINS = Number(process.env.EVOTE_AUTH_BENCH_LOGINS ?? 4_000);
const PROCESSES = Number(process.env.EVOTE_AUTH_BENCH_PROCESSES ?? 1);
const CONCURRENCY = 50;

function opsPerSecond(ms: number, fn: () => void): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

let cluster: TestCluster | undefined;
afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!enabled)('login throughput (informal)', () => {
  it(`${LOGINS} full logins over ${CONCURRENCY} connections`, async () => {
    const peer = generateX25519KeyPair().publicKey;
    const key = new Uint8Array(randomBytes(32));
    // src/crypto/x25519.ts converts raw keys through DER, src/auth/x25519-jwk.ts through JWK (docs/auth.md).
    const x25519KeygenDer = opsPerSecond(1_000, () => generateX25519KeyPair());
    const x25519KeygenJwk = opsPerSecond(1_000, () => generateX25519KeyPairJwk());
    const pair = generateX25519KeyPair();
    const x25519DhDer = opsPerSecond(1_000, () => x25519SharedSecret(pair.privateKey, peer));
    const x25519DhJwk = opsPerSecond(1_000, () => x25519SharedSecretJwk(pair.privateKey, peer));
    const hmac = opsPerSecond(1_000, () => hmacSha256(key, 'a-voter-id-0123456789'));

    cluster = await startTestCluster({ processes: PROCESSES });
    const token = cluster.adminToken;
    const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
    const voterCount = Math.min(LOGINS, 5_000);
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Bench', choices: ['A', 'B'], expectedVoters: voterCount }, { token });
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(voterCount), batchSize: 1_000 }, { token });
    const voterIds: string[] = [];
    for (let offset = 0; offset < voterCount; offset += 1_000) {
      const page = await admin.request<{ voters: { voterId: string }[] }>('query', 'voters.list', { electionId, offset, limit: 1_000 }, { token });
      voterIds.push(...page.voters.map((v) => v.voterId));
    }
    await admin.request('command', 'election.start', { electionId }, { token });
    const creds: VoterCredential[] = [];
    const entries = voterIds.map((voterId) => {
      const issued = issueSecretCode();
      creds.push({ electionId, voterId, secretCode: issued.secretCode });
      return { name: keyNames.credential(electionId, voterId), secret: issued.stored };
    });
    await cluster.systems[0]!.keyStore.putMany(entries);
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'Bench app' }, { token });
    await admin.close();

    const conns = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => EvoteConnection.connect(cluster!.systems[i % PROCESSES]!.gateway!.url)),
    );
    // Warm-up: JIT, pools, caches.
    await Promise.all(conns.map((c, i) => loginVoter(c, creds[i % creds.length]!, client)));
    let next = 0;
    const start = performance.now();
    await Promise.all(
      conns.map(async (c) => {
        for (let i = next++; i < LOGINS; i = next++) await loginVoter(c, creds[i % creds.length]!, client);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    await Promise.all(conns.map((c) => c.close()));
    const loginsPerSecond = Math.round(LOGINS / seconds);
    console.log(
      JSON.stringify({ logins: LOGINS, concurrency: CONCURRENCY, processes: PROCESSES, seconds: +seconds.toFixed(2), loginsPerSecond, x25519KeygenDer, x25519KeygenJwk, x25519DhDer, x25519DhJwk, hmac }),
    );
    expect(loginsPerSecond).toBeGreaterThan(0);
  });
});
