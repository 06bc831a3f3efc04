/**
 * A weighted election over the real gateway (PostgreSQL, Redis, SMTP sink): weights 1 and 3, one
 * authority key per class pinned by fingerprint v4; voters imported with a weight column vote with
 * the client library, the tally counts each VALID ballot by its class's weight and the audit agrees;
 * a class-1 voter gets no class-3 signature; a class key used past its class's signatures fails the
 * audit by name (WEIGHT_CLASS_BOUNDS).
 */
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { vote, type ClientApp, type Credential } from '../../src/client/voter.ts';
import { loginVoter } from '../../src/client/client-login.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { electionFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { blindSign } from '../../src/crypto/blind-rsa.ts';
import { fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { electionStreamId, tallyStreamId } from '../../src/domain/streams.ts';
import { keyNames } from '../../src/keystore/port.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';
import type { BlindSignatureIssued } from '../../src/domain/voter-events.ts';
import type { TallyPublished, VoteCounted } from '../../src/domain/tally-events.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { until, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, type SmtpSink } from '../support/letters.ts';
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


const CSV = (domain: string) => `email,weight\na0@${domain},1\na1@${domain},1\na2@${domain},1\nb0@${domain},3\nb1@${domain},3\n`;

/** A weighted election (1 and 3) with five voters, voting open, letters issued: credentials by address. */
async function openWeighted(domain: string, rules: Record<string, unknown> = { choices: ['Ada', 'Bob'] }): Promise<{ electionId: string; row: ElectionRow; client: ClientApp; cred: (who: string) => Credential }> {
  const token = cluster.adminToken;
  const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Board', expectedVoters: 5, weights: [3, 1], ...rules }, { token });
  await admin.request('command', 'election.importVoters', { electionId, csv: CSV(domain) }, { token });
  const client = await admin.request<ClientApp>('command', 'clients.register', { name: `weighted ${domain}` }, { token });
  await admin.request('command', 'election.start', { electionId }, { token });
  const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
  const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
  const cred = (who: string) => letters.find((l) => l.to === `${who}@${domain}`)!.credential;
  return { electionId, row, client, cred };
}

async function castSigned(url: string, electionId: string, credential: Credential, choice: string, authorityPublicKey: string, ballotPublicKey: string, sign: (blinded: string) => Promise<string>): Promise<string> {
  const ballot = prepareBallot({ electionId, choice, n2Commitment: n2Commitment(credential.n2, newN2Salt()), authorityPublicKey });
  const blindSignature = await sign(ballot.blindedMessage);
  const finished = finishBallot({ ...ballot, blindSignature, authorityPublicKey, ballotPublicKey, electionId });
  const b = await EvoteConnection.connect(url);
  const { ballotHash } = await b.request<{ ballotHash: string }>('command', 'ballot.cast', { electionId, n1: credential.n1, ciphertext: finished.ciphertext });
  await b.close();
  return ballotHash;
}

async function endAndTally(electionId: string): Promise<void> {
  const token = cluster.adminToken;
  // As many ballots as expected voters close the election by themselves: then there is nothing to end.
  const ended = await refusal(admin.request('command', 'election.end', { electionId }, { token }));
  if (ended !== 'accepted' && ended !== 'WRONG_STATE') throw new Error(`election.end refused with ${ended}`);
  await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');
  await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 60_000 });
}

describe('a weighted election through the gateway', () => {
  it('refuses bad weights at creation and a weight that is not a class at import, with codes', { timeout: 60_000 }, async () => {
    const token = cluster.adminToken;
    const base = { theme: 'Refused', choices: ['Ada', 'Bob'], expectedVoters: 4 };
    expect(await refusal(admin.request('command', 'election.create', { ...base, weights: [2, 2] }, { token }))).toBe('INVALID_WEIGHTS');
    expect(await refusal(admin.request('command', 'election.create', { ...base, weights: [0, 2] }, { token }))).toBe('INVALID_PAYLOAD');
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { ...base, weights: [1, 3] }, { token });
    const bad = async (csv: string) => {
      try {
        await admin.request('command', 'election.importVoters', { electionId, csv }, { token });
      } catch (err) {
        return { code: (err as EvoteError).code, line: (err as EvoteError).details?.line };
      }
      return 'accepted';
    };
    expect(await bad('email,weight\nx@w.example,1\ny@w.example,2\n')).toEqual({ code: 'INVALID_WEIGHT', line: 3 });
    expect(await bad('email,weight\nx@w.example,heavy\n')).toEqual({ code: 'INVALID_WEIGHT', line: 2 });
    expect(await bad('email\nx@w.example\n')).toEqual({ code: 'INVALID_WEIGHT', line: 2 });
    // All or nothing: no voter of a refused file is registered; a class of one voter cannot open.
    await admin.request('command', 'election.importVoters', { electionId, csv: 'email,weight\nx@w.example,1\ny@w.example,1\nz@w.example,3\n' }, { token });
    expect(await refusal(admin.request('command', 'election.start', { electionId }, { token }))).toBe('WEIGHT_CLASS_TOO_SMALL');

    // One voter at a time: the weight names a class, as in the CSV; the second class-3 voter lets the vote open.
    const register = (email: string, weight?: number) => refusal(admin.request('command', 'election.registerVoter', { electionId, email, ...(weight !== undefined && { weight }) }, { token }));
    expect(await register('w@w.example')).toBe('INVALID_WEIGHT');
    expect(await register('w@w.example', 2)).toBe('INVALID_WEIGHT');
    expect(await register('w@w.example', 0)).toBe('INVALID_PAYLOAD');
    expect(await register('w@w.example', 3)).toBe('accepted');
    expect(await refusal(admin.request('command', 'election.start', { electionId }, { token }))).toBe('accepted');
    const unweighted = await admin.request<{ electionId: string }>('command', 'election.create', base, { token });
    expect(await refusal(admin.request('command', 'election.registerVoter', { electionId: unweighted.electionId, email: 'u@w.example', weight: 1 }, { token }))).toBe('INVALID_WEIGHT');
  });

  it('signs under the class key, counts by weight, and the audit agrees', { timeout: 180_000 }, async () => {
    const url = cluster.systems[0]!.gateway!.url;
    const store = cluster.systems[0]!.store;
    const { electionId, row, client, cred } = await openWeighted('honest.example.org');
    const created = (await store.readStream(electionStreamId(electionId)))[0]!.data as ElectionCreated['data'];
    expect(created.weightClasses?.map((c) => c.weight)).toEqual([1, 3]);
    expect(row.weightClasses).toEqual(created.weightClasses);
    const [k1, k3] = created.weightClasses!.map((c) => c.authorityPublicKey);
    expect(new Set([k1, k3, created.authorityPublicKey]).size).toBe(3);
    const keys = { electionId, authorityPublicKey: created.authorityPublicKey, ballotPublicKey: created.ballotPublicKey, logPublicKey: created.logPublicKey };
    expect(fingerprintOf(row)).toBe((electionFingerprint({ ...keys, weightClasses: created.weightClasses }) as { value: string }).value);
    expect(fingerprintOf(row)).not.toBe((electionFingerprint(keys) as { value: string }).value);

    // A class-1 voter blinding under the class-3 key: the server signs with the class-1 key, so nothing verifies under class 3.
    const a2 = cred('a2');
    const conn = await EvoteConnection.connect(url);
    const { accessToken } = await loginVoter(conn, a2, client);
    expect(await conn.request('query', 'ballot.weightClass', { electionId }, { token: accessToken })).toEqual({ weight: 1 });
    const stolen = castSigned(url, electionId, a2, 'Bob', k3!, created.ballotPublicKey, async (blindedMessage) => {
      const r = await conn.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId, blindedMessage }, { token: accessToken });
      return r.blindSignature;
    });
    // Blinded under the class-3 modulus, the message is at or above the class-1 modulus about as often as not:
    // then the server refuses it unsigned (INVALID_BLINDED_MESSAGE), else it signs under class 1 and nothing verifies.
    const stolenRefusal = await refusal(stolen);
    expect(stolenRefusal).toMatch(/^(INVALID_SIGNATURE|INVALID_BLINDED_MESSAGE)$/);
    await conn.close();

    const ballots = await Promise.all([
      vote({ url, credential: cred('a0'), client, choice: 'Ada' }),
      vote({ url, credential: cred('a1'), client, choice: 'Ada' }),
      vote({ url, credential: cred('b0'), client, choice: 'Bob' }),
      vote({ url, credential: cred('b1'), client, choice: 'Ada' }),
    ]);
    await endAndTally(electionId);
    const tally = await store.readStream(tallyStreamId(electionId));
    const weights = tally.filter((e) => e.type === 'VoteCounted').map((e) => (e.data as VoteCounted['data']).weight).sort();
    expect(weights).toEqual([1, 1, 3, 3]);
    expect(ballots).toHaveLength(4);
    const published = tally.find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data'];
    expect(published.counts).toEqual({ Ada: 1 + 1 + 3, Bob: 3 });
    expect(published.statuses.VALID).toBe(4);
    // BlindSignatureIssued names the class, nothing more.
    const signed = (await store.readAll()).filter((e) => e.type === 'BlindSignatureIssued' && (e.data as BlindSignatureIssued['data']).electionId === electionId);
    const a2Signed = stolenRefusal === 'INVALID_SIGNATURE' ? [1] : [];
    expect(signed.map((e) => (e.data as BlindSignatureIssued['data']).weight).sort()).toEqual([1, 1, ...a2Signed, 3, 3]);

    const report = await verifyFromStore(store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.fingerprint).toBe(fingerprintOf(row));
    expect(report.counts).toEqual({ Ada: 5, Bob: 3 });
  });

  it('a ranked election counts each round by weight (IRV), and the audit recounts it', { timeout: 180_000 }, async () => {
    const url = cluster.systems[0]!.gateway!.url;
    const store = cluster.systems[0]!.store;
    const choices = ['Ada', 'Bob', 'Cy'];
    const { electionId, client, cred } = await openWeighted('ranked.example.org', { choices, form: { kind: 'ranked' }, method: 'irv' });
    // First preferences by weight: Ada 1+1, Bob 3, Cy 1+3 (of 9): Ada is excluded and her ballots exhaust; Cy 4 beats Bob 3.
    // Unweighted, the same ballots would give Ada 2, Bob 1, Cy 2 and exclude Bob first.
    const cast: [string, string[]][] = [['a0', ['Ada']], ['a1', ['Ada']], ['a2', ['Cy', 'Bob']], ['b0', ['Bob']], ['b1', ['Cy', 'Ada']]];
    for (const [who, ranking] of cast) await vote({ url, credential: cred(who), client, choice: { ranking } });
    // Every expected voter voted: the election closes by itself.
    await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');
    await admin.request('command', 'tally.run', { electionId }, { token: cluster.adminToken, timeoutMs: 60_000 });
    const tally = await store.readStream(tallyStreamId(electionId));
    const rounds = tally.filter((e) => e.type === 'RoundCounted').map((e) => e.data as { round: number; tallies: number[]; eliminated: number[] });
    expect(rounds.map((r) => [r.tallies, r.eliminated])).toEqual([
      [[2, 3, 4], [0]],
      [[0, 3, 4], []],
    ]);
    expect((tally.find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data']).winners).toEqual(['Cy']);
    const report = await verifyFromStore(store, electionId);
    expect(report.failures).toEqual([]);
  });

  it('a class key used beyond its class fails the audit as WEIGHT_CLASS_BOUNDS', { timeout: 180_000 }, async () => {
    const url = cluster.systems[0]!.gateway!.url;
    const system = cluster.systems[0]!;
    const { electionId, row, client, cred } = await openWeighted('forged.example.org');
    const classes = row.weightClasses!;
    for (const who of ['a0', 'a1', 'b0', 'b1']) await vote({ url, credential: cred(who), client, choice: 'Bob' });
    // The server signs a2 (class 1) honestly, but a third class-3 ballot is signed with the class-3 key outside the protocol.
    const a2 = cred('a2');
    const conn = await EvoteConnection.connect(url);
    const { accessToken } = await loginVoter(conn, a2, client);
    await conn.request('command', 'ballot.blindSign', { electionId, blindedMessage: toBase64url(new Uint8Array(256).fill(1)) }, { token: accessToken });
    await conn.close();
    const der = (await system.keyStore.get(keyNames.authorityClass(electionId, 3)))!;
    const classKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    const k3 = classes.find((c) => c.weight === 3)!.authorityPublicKey;
    await castSigned(url, electionId, a2, 'Ada', k3, row.ballotPublicKey!, async (blinded) => {
      const s = blindSign(classKey, fromBase64url(blinded)!);
      if (!s.ok) throw new Error(s.error.message);
      return toBase64url(s.value);
    });
    await endAndTally(electionId);
    const published = (await system.store.readStream(tallyStreamId(electionId))).find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data'];
    expect(published.counts).toEqual({ Ada: 3, Bob: 1 + 1 + 3 + 3 });
    const report = await verifyFromStore(system.store, electionId);
    expect(report.failures.map((f) => f.check)).toEqual(['WEIGHT_CLASS_BOUNDS']);
    expect(report.failures[0]!.message).toContain('weight class 3: 3 VALID ballots');
  });

  it('evote election create --weights makes the classes; a bad list is a usage error', { timeout: 60_000 }, async () => {
    const url = cluster.systems[0]!.gateway!.url;
    const evote = (args: string[]) => runEvote(['--url', url, ...args], { EVOTE_ADMIN_TOKEN: cluster.adminToken });
    const base = ['election', 'create', '--theme', 'Shares', '--choice', 'Yes', '--choice', 'No', '--expected-voters', '4'];
    const made = await evote(['--json', ...base, '--weights', '5,2']);
    expect(made.code, made.stderr).toBe(0);
    const { electionId, fingerprint } = JSON.parse(made.stdout) as { electionId: string; fingerprint: string };
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(row.weightClasses?.map((c) => c.weight)).toEqual([2, 5]);
    expect(fingerprint).toBe(fingerprintOf(row));
    const bad = await evote([...base, '--weights', '2,2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('INVALID_WEIGHTS');
  });
});
