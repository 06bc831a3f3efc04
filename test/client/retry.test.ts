/**
 * The reference client's retries against real gateways behind Debian's HAProxy: the gateway a voter
 * logged in through is drained before the blind signature, and vote() carries on through the other
 * (same tokens, same blinded message); the admin's connection re-sends its query after its
 * gateway is drained. Plus the backoff arithmetic (docs/gateway.md, "Clients: what is retried").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError, RETRYABLE_CODES, retryDelay } from '../../src/client/connection.ts';
import { EvoteAdmin } from '../../src/client/admin.ts';
import { vote } from '../../src/client/voter.ts';
import { verifyCastReceipt } from '../../src/crypto/cast-receipt.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { startHaproxy, type Balancer } from '../support/process-cluster.ts';

let sink: SmtpSink;
let cluster: TestCluster;
let lb: Balancer;

const portOf = (url: string) => Number(new URL(url).port);

async function commandsOk(i: number, name: string): Promise<number> {
  const text = await cluster.systems[i]!.metrics.renderPrometheus();
  const m = new RegExp(`^evote_commands_total\\{[^}]*name="${name.replace('.', '\\.')}"[^}]*outcome="ok"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  sink = await startSmtpSink({ decodeQrFirst: 0 });
  cluster = await startTestCluster({ processes: 2, config: { smtpUrl: sink.url } });
  // `balance first`: every new connection goes to gateway 0 while it is up, so the test knows where each step ran.
  lb = await startHaproxy(
    cluster.systems.map((s) => portOf(s.gateway!.url)),
    'first',
  );
}, 120_000);

afterAll(async () => {
  await lb?.close();
  await cluster?.close();
  await sink?.close();
});

describe('retries through a balancer', () => {
  it('signs and casts through the second gateway after the first, where the voter logged in, drains', { timeout: 90_000 }, async () => {
    const admin = await EvoteAdmin.connect(lb.url, cluster.adminToken);
    const { electionId } = await admin.createElection({ theme: 'Retry', choices: ['A', 'B'], expectedVoters: 3 });
    await admin.importVoters({ electionId, csv: voterCsv(2, 'retry.example.org') });
    const client = await admin.registerClient('retry test app');
    await admin.startVoting(electionId);
    const { letters } = await issueLettersByEmail(admin.conn, cluster.adminToken, electionId, sink);
    const election = await admin.getElection(electionId);

    const retries: { stage: string; code: string }[] = [];
    let draining: Promise<boolean> | undefined;
    const receipt = await vote({
      url: lb.url,
      credential: letters[0]!.credential,
      client,
      choice: 'B',
      onStep: (step) => {
        if (step === 'logged-in') draining = cluster.systems[0]!.gateway!.drain();
      },
      onRetry: (r) => retries.push(r),
    });
    await draining;

    expect(verifyCastReceipt(election.logPublicKey!, electionId, receipt.ballotHash, receipt.signature)).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.stage === 'sign' && ['SHUTTING_DOWN', 'CONNECTION_CLOSED'].includes(r.code))).toBe(true);
    // Logged in on gateway 0, signed and cast on gateway 1, with the tokens of the first login.
    expect(await commandsOk(0, 'auth.level3.prove')).toBe(1);
    expect(await commandsOk(0, 'ballot.blindSign')).toBe(0);
    expect([await commandsOk(1, 'auth.level3.prove'), await commandsOk(1, 'ballot.blindSign'), await commandsOk(1, 'ballot.cast')]).toEqual([0, 1, 1]);

    // The admin's connection was on gateway 0 too: its query is re-sent on the new socket (gateway 1).
    expect((await admin.getElection(electionId)).status).toBe('VOTE_STARTED');
    // A second vote() call with the same letter prepares a new ballot: the signature is spent.
    const again = await vote({ url: lb.url, credential: letters[0]!.credential, client, choice: 'A' }).catch((e: unknown) => e);
    expect((again as EvoteError).code).toBe('ALREADY_SIGNED');
    await admin.close();
  });
});

describe('retries of refusals that promise nothing was done', () => {
  it('a connection with retry sends 3× the in-flight cap at once and every request succeeds; without retry the excess is refused', { timeout: 60_000 }, async () => {
    const system = cluster.systems[1]!;
    const cap = system.config.maxInFlightPerConnection ?? 32;
    const burst = (conn: EvoteConnection) =>
      Promise.allSettled(Array.from({ length: 3 * cap }, () => conn.request('query', 'election.list', {}, { token: cluster.adminToken })));
    const plain = await EvoteConnection.connect(system.gateway!.url);
    const refused = (await burst(plain)).filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => (r.reason as EvoteError).code === 'TOO_MANY_IN_FLIGHT')).toBe(true);
    await plain.close();

    const retrying = await EvoteConnection.connect(system.gateway!.url, { retry: true });
    const results = await burst(retrying);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([]);
    await retrying.close();
  });
});

describe('retryDelay', () => {
  const policy = { retries: 6, initialDelayMs: 100, maxDelayMs: 5_000 };
  it('doubles from the first delay with ±20% jitter, capped', () => {
    const err = new EvoteError('TOO_MANY_IN_FLIGHT', 'busy');
    expect([1, 2, 3].map((a) => retryDelay(a, err, policy, () => 0.5))).toEqual([100, 200, 400]);
    expect(retryDelay(1, err, policy, () => 0)).toBe(80);
    expect(retryDelay(1, err, policy, () => 1)).toBe(120);
    expect(retryDelay(10, err, policy, () => 0.5)).toBe(5_000);
  });
  it("never retries sooner than the server's retryAfterMs", () => {
    const err = new EvoteError('SERVICE_UNAVAILABLE', 'down', { service: 'sessions', retryAfterMs: 1_000 });
    expect(retryDelay(1, err, policy, () => 0)).toBe(1_000);
    expect(retryDelay(1, err, policy, () => 1)).toBe(1_200);
    expect(['SERVICE_UNAVAILABLE', 'TOO_MANY_IN_FLIGHT', 'TOO_MANY_REQUESTS'].every((code) => RETRYABLE_CODES.has(code))).toBe(true);
    expect(RETRYABLE_CODES.has('INTERNAL')).toBe(false);
  });
});
