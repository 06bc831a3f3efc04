/**
 * A ranked election over the real gateway (PostgreSQL, Redis, SMTP sink): created with its form and
 * method, served by election.get and pinned by fingerprint v3; ranked ballots cast with the client
 * library count VALID, hand-made malformed ones INVALID_CHOICE with their reason, and the audit
 * recomputes both. The count by the method is test/e2e/tally-counting.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote, type ClientApp, type Credential } from '../../src/client/voter.ts';
import { loginVoter } from '../../src/client/client-login.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { electionFingerprint, formatFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { electionStreamId, tallyStreamId } from '../../src/domain/streams.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';
import type { VoteCounted } from '../../src/domain/tally-events.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { until, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, type ReceivedLetter, type SmtpSink } from '../support/letters.ts';
import { startMailedCluster, type MailedCluster } from '../support/mailed-cluster.ts';
import { refusal } from '../support/refusal.ts';
import { runEvote } from '../support/run-cli.ts';

let mailed: MailedCluster;
let sink: SmtpSink;
let cluster: TestCluster;
let admin: EvoteConnection;

beforeAll(async () => {
  mailed = await startMailedCluster();
  ({ sink, cluster, admin } = mailed);
}, 60_000);

afterAll(async () => {
  await mailed?.close();
});


/** What a client that does not follow the form would cast: any choice text, signed and encrypted like vote() does. */
async function castRaw(url: string, credential: Credential, client: ClientApp, choice: string): Promise<string> {
  const { electionId } = credential;
  const a = await EvoteConnection.connect(url);
  const keys = await a.request<ElectionRow>('query', 'election.get', { electionId });
  const { accessToken } = await loginVoter(a, credential, client);
  const ballot = prepareBallot({ electionId, choice, n2Commitment: n2Commitment(credential.n2, newN2Salt()), authorityPublicKey: keys.authorityPublicKey! });
  const { blindSignature } = await a.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId, blindedMessage: ballot.blindedMessage }, { token: accessToken });
  await a.close();
  const finished = finishBallot({ ...ballot, blindSignature, authorityPublicKey: keys.authorityPublicKey!, ballotPublicKey: keys.ballotPublicKey!, electionId });
  const b = await EvoteConnection.connect(url);
  const { ballotHash } = await b.request<{ ballotHash: string }>('command', 'ballot.cast', { electionId, n1: credential.n1, ciphertext: finished.ciphertext });
  await b.close();
  return ballotHash;
}

describe('a ranked election through the gateway', () => {
  it('refuses a method that does not fit the form, and a form the schema does not know', async () => {
    const token = cluster.adminToken;
    const base = { theme: 'Refused', choices: ['Ada', 'Bob', 'Cy'], expectedVoters: 3 };
    expect(await refusal(admin.request('command', 'election.create', { ...base, form: { kind: 'approval' }, method: 'schulze' }, { token }))).toBe('METHOD_FORM_MISMATCH');
    expect(await refusal(admin.request('command', 'election.create', { ...base, form: { kind: 'ranked' }, method: 'schulze', seats: 2 }, { token }))).toBe('INVALID_SEATS');
    expect(await refusal(admin.request('command', 'election.create', { ...base, form: { kind: 'approval', min: 4 } }, { token }))).toBe('INVALID_BALLOT_FORM');
    expect(await refusal(admin.request('command', 'election.create', { ...base, form: { kind: 'cumulative' } }, { token }))).toBe('INVALID_PAYLOAD');
  });

  it('serves the form, pins it in the fingerprint, counts ranked ballots VALID and malformed ones INVALID_CHOICE with the reason', { timeout: 120_000 }, async () => {
    const token = cluster.adminToken;
    const url = cluster.systems[0]!.gateway!.url;
    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Chair', choices: ['Ada', 'Bob', 'Cy'], expectedVoters: 5, form: { kind: 'ranked', maxRanks: 2 }, method: 'schulze' },
      { token },
    );
    const rules = { form: { kind: 'ranked', blank: false, full: false, maxRanks: 2 }, method: 'schulze', seats: 1 };
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(row.ballot).toEqual(rules);
    const created = (await cluster.systems[0]!.store.readStream(electionStreamId(electionId)))[0]!.data as ElectionCreated['data'];
    expect({ form: created.form, method: created.method, seats: created.seats }).toEqual(rules);
    // The client's fingerprint (from election.get) is version 3 over the log's ElectionCreated, and differs from the keys' alone.
    const keys = { electionId, authorityPublicKey: created.authorityPublicKey, ballotPublicKey: created.ballotPublicKey, logPublicKey: created.logPublicKey };
    expect(fingerprintOf(row)).toBe((electionFingerprint({ ...keys, ballot: created.form && rules }) as { value: string }).value);
    expect(fingerprintOf(row)).not.toBe((electionFingerprint(keys) as { value: string }).value);

    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(5, 'ranked.example.org') }, { token });
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'ranked test app' }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const letters: ReceivedLetter[] = (await issueLettersByEmail(admin, token, electionId, sink)).letters;
    const cred = (i: number) => letters[i]!.credential;
    // The letters print the same version-3 fingerprint (computed at issuance from the decider's state).
    for (const l of letters) expect(l.text).toContain(formatFingerprint(fingerprintOf(row)!));

    // The client library refuses what the tally would not count, before anything is signed.
    expect(await refusal(vote({ url, credential: cred(0), client, choice: 'Ada' }))).toBe('INVALID_CHOICE');
    expect(await refusal(vote({ url, credential: cred(0), client, choice: { ranking: ['Cy', 'Ada', 'Bob'] } }))).toBe('INVALID_CHOICE');
    expect(await refusal(vote({ url, credential: cred(0), client, choice: { blank: true } }))).toBe('INVALID_CHOICE');

    const valid1 = await vote({ url, credential: cred(0), client, choice: { ranking: ['Cy', 'Ada'] } });
    const valid2 = await vote({ url, credential: cred(1), client, choice: { ranking: ['Bob'] } });
    const duplicate = await castRaw(url, cred(2), client, 'ranked:2>2');
    const tooMany = await castRaw(url, cred(3), client, 'ranked:2>0>1');
    const aName = await castRaw(url, cred(4), client, 'Ada');
    await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');

    // Counted by Schulze over the two VALID ballots (Cy>Ada, Bob); the INVALID_CHOICE ones count for nobody.
    const outcome = await admin.request<{ method: string; winners: string[]; statuses: Record<string, number> }>('command', 'tally.run', { electionId }, { token, timeoutMs: 60_000 });
    expect(outcome.method).toBe('schulze');
    expect(outcome.statuses).toMatchObject({ VALID: 2, INVALID_CHOICE: 3 });
    const counted = new Map(
      (await cluster.systems[0]!.store.readStream(tallyStreamId(electionId))).filter((e) => e.type === 'VoteCounted').map((e) => {
        const d = e.data as VoteCounted['data'];
        return [d.ballotHash, { status: d.status, choice: d.choice, reason: d.reason }];
      }),
    );
    expect(counted.get(valid1.ballotHash)).toEqual({ status: 'VALID', choice: 'ranked:2>0', reason: undefined });
    expect(counted.get(valid2.ballotHash)).toEqual({ status: 'VALID', choice: 'ranked:1', reason: undefined });
    expect(counted.get(duplicate)).toEqual({ status: 'INVALID_CHOICE', choice: 'ranked:2>2', reason: 'DUPLICATE_RANK' });
    expect(counted.get(tooMany)).toEqual({ status: 'INVALID_CHOICE', choice: 'ranked:2>0>1', reason: 'TOO_MANY_RANKS' });
    expect(counted.get(aName)).toEqual({ status: 'INVALID_CHOICE', choice: 'Ada', reason: 'MALFORMED' });

    // The audit decodes every ballot by the form of ElectionCreated and finds the same statuses and reasons.
    const report = await verifyFromStore(cluster.systems[0]!.store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.fingerprint).toBe(fingerprintOf(row));
  });

  it('evote election create takes the form flags; a flag of another form is a usage error', { timeout: 60_000 }, async () => {
    const url = cluster.systems[0]!.gateway!.url;
    const evote = (args: string[]) => runEvote(['--url', url, ...args], { EVOTE_ADMIN_TOKEN: cluster.adminToken });
    const base = ['election', 'create', '--theme', 'Jury', '--choice', 'Ada', '--choice', 'Bob', '--choice', 'Cy', '--expected-voters', '3'];
    const made = await evote(['--json', ...base, '--form', 'graded', '--scale', 'Reject,Poor,Fair,Good,Excellent', '--method', 'majority-judgment', '--blank']);
    expect(made.code, made.stderr).toBe(0);
    const { electionId, fingerprint } = JSON.parse(made.stdout) as { electionId: string; fingerprint: string };
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(row.ballot).toEqual({ form: { kind: 'graded', blank: true, scale: ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'] }, method: 'majority-judgment', seats: 1 });
    expect(fingerprint).toBe(fingerprintOf(row));
    const status = await evote(['election', 'status', electionId]);
    expect(status.stdout).toContain('graded (Reject < Poor < Fair < Good < Excellent, blank allowed) · majority-judgment · 1 seat');

    const misplaced = await evote([...base, '--form', 'ranked', '--max', '2']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--max belongs to --form approval');
    const mismatch = await evote([...base, '--form', 'approval', '--method', 'schulze']);
    expect(mismatch.stderr).toContain('METHOD_FORM_MISMATCH');
  });
});
