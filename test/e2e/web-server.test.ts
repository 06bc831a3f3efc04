/**
 * The server side of the browser pages (docs/web.md), end to end on the real gateway
 * (startTestCluster: PostgreSQL, Redis) and a real SMTP server: the web booth's voting application
 * (booth.setApp / booth.app), resending a voter's letter and why a voter holding two letters still
 * has one counted vote (tally and audit), and the admin's download of a run's printable letters.
 */
import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { loginVoter, type ClientApp } from '../../src/client/client-login.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { vote } from '../../src/client/voter.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { countPooled } from '../../src/pool/pool-table.ts';
import { BOOTH_APP_STREAM_ID, credentialStreamPrefix, voterStreamId } from '../../src/domain/streams.ts';
import type { ElectionRow, VoterRow } from '../../src/projections/read-models.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { readPdfPages } from '../support/pdf-pages.ts';

let sink: SmtpSink;
let cluster: TestCluster;
let admin: EvoteConnection;
let dataDir: string;
let token: string;
let url: string;
let httpUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'evote-web-server-'));
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url, dataDir } });
  token = cluster.adminToken;
  url = cluster.systems[0]!.gateway!.url;
  httpUrl = cluster.systems[0]!.gateway!.httpUrl;
  admin = await EvoteConnection.connect(url);
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.close();
  await sink?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function startedElection(voters: number, expectedVoters = voters): Promise<{ electionId: string; election: ElectionRow; voterIds: string[] }> {
  const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Web booth', choices: ['Ana', 'Ben'], expectedVoters }, { token });
  await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(voters, `${electionId.slice(0, 8)}.example`) }, { token });
  await admin.request('command', 'election.start', { electionId }, { token });
  const election = await admin.request<ElectionRow>('query', 'election.get', { electionId });
  const voterIds = (await admin.request<{ voters: VoterRow[] }>('query', 'voters.list', { electionId, limit: 1000 }, { token })).voters.map((v) => v.voterId);
  return { electionId, election, voterIds };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: { code?: string }) => err.code,
  );

describe("the web booth's voting application", () => {
  it('is chosen by the admin among registered, unrevoked clients, handed to anyone, and gone once revoked', async () => {
    const anonymous = await EvoteConnection.connect(url);
    try {
      await expect(anonymous.request('query', 'booth.app', {})).rejects.toMatchObject({ code: 'BOOTH_APP_NOT_SET' });
      await expect(admin.request('command', 'booth.setApp', { clientId: 'no-such-client' }, { token })).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });

      const app = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'web booth' }, { token });
      // Admin only.
      await expect(anonymous.request('command', 'booth.setApp', { clientId: app.clientId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      const set = await admin.request<{ clientId: string; position: number }>('command', 'booth.setApp', { clientId: app.clientId }, { token });
      expect(set.clientId).toBe(app.clientId);
      // Idempotent: choosing it again records nothing new.
      await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token });
      const events = await cluster.systems[0]!.store.readStream(BOOTH_APP_STREAM_ID);
      expect(events.map((e) => [e.type, (e.data as { clientId: string }).clientId])).toEqual([['BoothAppSet', app.clientId]]);

      // Public: the key a web page cannot keep secret anyway.
      expect(await anonymous.request('query', 'booth.app', {})).toEqual({ clientId: app.clientId, clientKey: app.clientKey });

      // A revoked client cannot be chosen.
      const old = await admin.request<{ clientId: string }>('command', 'clients.register', { name: 'old kiosk' }, { token });
      await admin.request('command', 'clients.revoke', { clientId: old.clientId }, { token });
      await expect(admin.request('command', 'booth.setApp', { clientId: old.clientId }, { token })).rejects.toMatchObject({ code: 'CLIENT_REVOKED' });

      // A voter logs in with what booth.app gives, as the booth does.
      const { electionId } = await startedElection(2);
      const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
      const booth = await anonymous.request<ClientApp>('query', 'booth.app', {});
      const receipt = await vote({ url, credential: letters[0]!.credential, client: booth, choice: 'Ana' });
      expect(receipt.ballotHash).toMatch(/^[0-9a-f]{64}$/);

      // Revoking the booth's app stops booth logins: no key handed out, and level 2 refuses the old one.
      await admin.request('command', 'clients.revoke', { clientId: app.clientId }, { token });
      await expect(anonymous.request('query', 'booth.app', {})).rejects.toMatchObject({ code: 'BOOTH_DISABLED' });
      expect(await code(vote({ url, credential: letters[1]!.credential, client: booth, choice: 'Ben' }))).toBe('INVALID_CLIENT_PROOF');

      // Another app re-enables the booth.
      const next = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'web booth 2' }, { token });
      await admin.request('command', 'booth.setApp', { clientId: next.clientId }, { token });
      expect(await anonymous.request('query', 'booth.app', {})).toEqual({ clientId: next.clientId, clientKey: next.clientKey });
    } finally {
      await anonymous.close();
    }
  }, 60_000);
});

/** Login, blind signature and the finished ballot; `again()` re-encrypts the same signed ballot. */
async function signBallot(election: ElectionRow, cred: Credential, client: ClientApp, choice: string) {
  const a = await EvoteConnection.connect(url);
  try {
    const tokens = await loginVoter(a, cred, client);
    const keys = { authorityPublicKey: election.authorityPublicKey!, ballotPublicKey: election.ballotPublicKey! };
    const b = prepareBallot({ electionId: cred.electionId, choice, n2Commitment: n2Commitment(cred.n2, newN2Salt()), authorityPublicKey: keys.authorityPublicKey });
    const { blindSignature } = await a.request<{ blindSignature: string }>(
      'command',
      'ballot.blindSign',
      { electionId: cred.electionId, blindedMessage: b.blindedMessage },
      { token: tokens.accessToken },
    );
    const again = () => finishBallot({ ...b, blindSignature, ...keys, electionId: cred.electionId });
    return { ...again(), again };
  } finally {
    await a.close();
  }
}

async function cast(electionId: string, n1: string, ciphertext: string): Promise<{ ballotHash: string }> {
  const b = await EvoteConnection.connect(url);
  try {
    return await b.request('command', 'ballot.cast', { electionId, n1, ciphertext });
  } finally {
    await b.close();
  }
}

describe("resending a voter's letter", () => {
  it('reissues a fresh credential that replaces the old secret code; once signed, no more; both letters still give one counted vote, and the audit passes', async () => {
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'resend app' }, { token });
    // More voters expected than registered, so the copies cast below do not close the vote on turnout.
    const { electionId, election, voterIds } = await startedElection(5, 10);
    const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
    expect(letters).toHaveLength(5);
    const first = new Map(letters.map((l) => [l.credential.voterId, l.credential]));
    const [v0, v1, v2] = voterIds as [string, string, string];

    const resend = async (voterId: string) => {
      const before = sink.letters.length;
      const summary = await admin.request<{ issued: number; minted: number; total: number }>('command', 'credentials.resend', { electionId, voterId, channel: 'email' }, { token });
      const received = sink.letters.slice(before).filter((l) => l.credential.electionId === electionId);
      expect(received).toHaveLength(1);
      return { summary, credential: received[0]!.credential };
    };

    const r0 = await resend(v0);
    // Minted like any other: one real credential among decoys (the anonymity floor is the electorate here).
    expect(r0.summary).toMatchObject({ total: 1, issued: 1, minted: 5 });
    expect(r0.credential.voterId).toBe(v0);
    expect(r0.credential.n1).not.toBe(first.get(v0)!.n1);
    expect(r0.credential.secretCode).not.toBe(first.get(v0)!.secretCode);
    const minted = (await cluster.systems[0]!.store.readAll({ limit: 100_000, filter: { streamPrefixes: [credentialStreamPrefix(electionId)] } })).map(
      (e) => (e.data as { hashN1: string }).hashN1,
    );
    expect(minted).toHaveLength(10);
    expect(minted).toContain(hashToken(r0.credential.n1));
    expect(minted).toContain(hashToken(first.get(v0)!.n1));
    const r1 = await resend(v1);

    // The old letter no longer logs in; the new one does (below).
    const probe = await EvoteConnection.connect(url);
    try {
      expect(await code(loginVoter(probe, first.get(v0)!, client))).toBe('INVALID_CREDENTIALS');
    } finally {
      await probe.close();
    }

    // Refusals: an unknown voter; a voter of this election in another one.
    await expect(admin.request('command', 'credentials.resend', { electionId, voterId: 'nobody', channel: 'email' }, { token })).rejects.toMatchObject({ code: 'VOTER_NOT_FOUND' });
    await expect(admin.request('command', 'credentials.resend', { electionId, voterId: v0, channel: 'email' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    // v0 votes with the new letter, then casts the very same ballot again under the old letter's N1.
    const s0 = await signBallot(election, r0.credential, client, 'Ana');
    expect((await cast(electionId, r0.credential.n1, s0.ciphertext)).ballotHash).toBe(s0.ballotHash);
    expect((await cast(electionId, first.get(v0)!.n1, s0.ciphertext)).ballotHash).toBe(s0.ballotHash);

    // Signed: no new letter. The signature is still held by the ballot pool (k = 32), not in the log.
    expect(await countPooled(cluster.systems[0]!.sql, electionId, 'sign')).toBeGreaterThan(0);
    expect((await cluster.systems[0]!.store.readStream(voterStreamId(electionId, v0))).map((e) => e.type)).not.toContain('BlindSignatureIssued');
    const before = sink.letters.length;
    await expect(admin.request('command', 'credentials.resend', { electionId, voterId: v0, channel: 'email' }, { token })).rejects.toMatchObject({ code: 'ALREADY_SIGNED' });
    expect(sink.letters.length).toBe(before);

    // v1 votes with the new letter, and casts a re-encryption of the same signed ballot under the old N1.
    const s1 = await signBallot(election, r1.credential, client, 'Ben');
    await cast(electionId, r1.credential.n1, s1.ciphertext);
    const copy = s1.again();
    expect(copy.ballotHash).not.toBe(s1.ballotHash);
    await cast(electionId, first.get(v1)!.n1, copy.ciphertext);
    // A second signature stays refused, whichever letter logged in.
    await expect(signBallot(election, first.get(v1)!, client, 'Ana')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(signBallot(election, r1.credential, client, 'Ana')).rejects.toMatchObject({ code: 'ALREADY_SIGNED' });

    // v2 was never resent a letter and votes normally.
    await vote({ url, credential: first.get(v2)!, client, choice: 'Ben' });

    await admin.request('command', 'election.end', { electionId }, { token });
    const tally = await admin.request<{ counts: Record<string, number>; statuses: Record<string, number>; ballots: number; excluded: { repeats: number } }>(
      'command',
      'tally.run',
      { electionId },
      { token, timeoutMs: 120_000 },
    );
    // Three voters, three counted votes: v0's byte-identical copy is left out, v1's re-encryption is a DUPLICATE_N2.
    expect(tally.counts).toEqual({ Ana: 1, Ben: 2 });
    expect(tally.statuses).toMatchObject({ VALID: 3, DUPLICATE_N2: 1 });
    expect(tally.ballots).toBe(4);
    expect(tally.excluded.repeats).toBe(1);

    // The audit is complete once a signed checkpoint covers the whole log (every 5 s at most).
    let report = await verifyFromStore(cluster.systems[0]!.store, electionId);
    await until(async () => (report = await verifyFromStore(cluster.systems[0]!.store, electionId)).verdict !== 'INCOMPLETE', 20_000, 'a checkpoint over the whole log');
    expect(report.failures).toEqual([]);
    expect(report.gaps).toEqual([]);
    expect(report.verdict).toBe('PASSED');
    expect(report.counts).toEqual({ Ana: 1, Ben: 2 });

    // Voting ended: no more resends.
    await expect(admin.request('command', 'credentials.resend', { electionId, voterId: voterIds[3]!, channel: 'email' }, { token })).rejects.toMatchObject({ code: 'WRONG_STATE' });
  }, 120_000);
});

describe('printable letters as one download', () => {
  it("writes one PDF of every letter of a run (and of a resend), served to the admin only, each page's QR the voter's credential", async () => {
    const { electionId, voterIds } = await startedElection(6);
    const summary = await admin.request<{ issued: number; download: string; pages: number }>('command', 'credentials.issue', { electionId, channel: 'letter' }, { token, timeoutMs: 60_000 });
    expect(summary).toMatchObject({ issued: 6, pages: 6 });
    expect(summary.download).toMatch(new RegExp(`^/admin/letters/${electionId}/letters-[0-9TZ]+-[0-9a-f]{8}\\.pdf$`));

    const get = (p: string, headers: Record<string, string> = {}) => fetch(`${httpUrl}${p}`, { headers });
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer not-the-admin-token' }, { Authorization: token }, { Authorization: `Basic ${token}` }]) {
      const res = await get(summary.download, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    const auth = { Authorization: `Bearer ${token}` };
    const res = await get(summary.download, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const pdf = Buffer.from(await res.arrayBuffer());
    const { count, pages } = readPdfPages(pdf);
    expect(count).toBe(6);
    expect(pages).toHaveLength(6);
    const credentials = pages.map((p) => {
      const parsed = parseCredentialUri(p.qr ?? '');
      if (!parsed.ok) throw new Error(`a page's QR does not decode to a credential: ${parsed.error.message}`);
      // The page's own text names the voter its QR is for.
      expect(p.text).toContain(`Voter id: ${parsed.value.voterId}`);
      return parsed.value;
    });
    expect(credentials.every((c) => c.electionId === electionId)).toBe(true);
    expect(credentials.map((c) => c.voterId).sort()).toEqual([...voterIds].sort());
    const minted = new Set(
      (await cluster.systems[0]!.store.readAll({ limit: 100_000, filter: { streamPrefixes: [credentialStreamPrefix(electionId)] } })).map((e) => (e.data as { hashN1: string }).hashN1),
    );
    for (const c of credentials) expect(minted.has(hashToken(c.n1) as string)).toBe(true);

    // Nothing outside the printable-letters folder, whatever the path says.
    const printRoot = path.join(dataDir, 'printable-letters');
    await writeFile(path.join(dataDir, 'secret.pdf'), 'not a letter');
    await mkdir(path.join(printRoot, 'linked'), { recursive: true });
    await symlink(path.join(dataDir, 'secret.pdf'), path.join(printRoot, 'linked', 'secret.pdf'));
    await symlink(dataDir, path.join(printRoot, 'dirlink'));
    for (const p of [
      `/admin/letters/${electionId}/..%2F..%2Fsecret.pdf`,
      '/admin/letters/../secret.pdf',
      '/admin/letters/%2e%2e/secret.pdf',
      '/admin/letters/linked/secret.pdf',
      '/admin/letters/dirlink/secret.pdf',
      `/admin/letters/${electionId}/missing.pdf`,
      `/admin/letters/${electionId}/${path.basename(summary.download, '.pdf')}.png`,
    ]) {
      const r = await get(p, auth);
      expect(r.status, p).not.toBe(200);
      expect(await r.text()).not.toContain('not a letter');
    }

    // A resend by post: its own download, one page, the voter's new credential.
    const again = await admin.request<{ download: string; pages: number }>('command', 'credentials.resend', { electionId, voterId: voterIds[2]!, channel: 'letter' }, { token });
    expect(again.pages).toBe(1);
    expect(again.download).not.toBe(summary.download);
    const one = readPdfPages(Buffer.from(await (await get(again.download, auth)).arrayBuffer()));
    expect(one.count).toBe(1);
    const reissued = parseCredentialUri(one.pages[0]!.qr ?? '');
    expect(reissued.ok && reissued.value.voterId).toBe(voterIds[2]);
    expect(reissued.ok && reissued.value.n1).not.toBe(credentials.find((c) => c.voterId === voterIds[2])!.n1);
  }, 90_000);
});
