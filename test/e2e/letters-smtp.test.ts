/**
 * Credential letters by e-mail, end to end: the real gateway (startTestCluster: PostgreSQL, Redis,
 * the bootstrap composition) and a real in-process SMTP server. An admin creates an election,
 * imports 50 voters, starts the vote and issues credentials by e-mail over WebSocket; the server
 * receives exactly one letter per voter, each parsed with mailparser, its QR decoded to a credential
 * URI for the voter named in the text, whose hash(N1) is minted in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import type { ElectionRow, VoterRow } from '../../src/projections/read-models.ts';
import type { CredentialMinted } from '../../src/domain/credential-events.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, type SmtpSink } from '../support/letters.ts';
import { startMailedCluster, type MailedCluster } from '../support/mailed-cluster.ts';
import { credentialStreamPrefix } from '../../src/domain/streams.ts';

let mailed: MailedCluster;
let sink: SmtpSink;
let cluster: TestCluster;
let admin: EvoteConnection;

beforeAll(async () => {
  mailed = await startMailedCluster();
  ({ sink, cluster, admin } = mailed);
});

afterAll(async () => {
  await mailed?.close();
});

describe('credential letters by e-mail over the real gateway and a real SMTP server', () => {
  it('delivers exactly one letter per voter; each QR decodes to that voter’s credential, whose hash(N1) is minted', async () => {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Residents’ council 2026', choices: ['Ana', 'Ben'], expectedVoters: 50 },
      { token },
    );
    const election = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(election.authorityPublicKey).toMatch(/^[A-Za-z0-9_-]{300,}$/);
    expect(election.ballotPublicKey).toMatch(/^[A-Za-z0-9_-]{300,}$/);
    expect(election.logPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(50, 'residents.example') }, { token });
    // Not before the vote started.
    await expect(admin.request('command', 'credentials.issue', { electionId, channel: 'email' }, { token })).rejects.toMatchObject({ code: 'WRONG_STATE' });
    // Admin only.
    await expect(admin.request('command', 'credentials.issue', { electionId, channel: 'email' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await admin.request('command', 'election.start', { electionId }, { token });

    const { summary, progress, letters } = await issueLettersByEmail(admin, token, electionId, sink);
    expect(summary).toMatchObject({ total: 50, issued: 50, failed: 0, alreadyIssued: 0, minted: 50 });
    expect(progress.at(0)).toEqual({ done: 0, total: 50, failed: 0 });
    expect(progress.at(-1)).toEqual({ done: 50, total: 50, failed: 0 });
    expect(sink.problems).toEqual([]);

    // Exactly one letter per registered voter.
    const voters = (await admin.request<{ voters: VoterRow[] }>('query', 'voters.list', { electionId, limit: 1000 }, { token })).voters;
    expect(voters).toHaveLength(50);
    expect(letters).toHaveLength(50);
    expect(letters.map((l) => l.to).sort()).toEqual(voters.map((v) => v.email).sort());
    const byVoter = new Map(voters.map((v) => [v.voterId, v]));
    expect(new Set(letters.map((l) => l.credential.voterId)).size).toBe(50);

    const minted = (await cluster.systems[0]!.store.readAll({ limit: 100_000, filter: { streamPrefixes: [credentialStreamPrefix(electionId)] } })).map(
      (e) => e.data as CredentialMinted['data'],
    );
    const mintedByHashN1 = new Map(minted.map((m) => [m.hashN1, m]));
    for (const letter of letters) {
      const { credential, text } = letter;
      // The QR's voter is the addressee, and the one the text names; the text repeats N1, N2 and the URI.
      expect(byVoter.get(credential.voterId)?.email).toBe(letter.to);
      expect(credential.electionId).toBe(electionId);
      expect(text).toContain(`Voter id: ${credential.voterId}`);
      expect(text).toContain(credential.n1);
      expect(text).toContain(credential.n2);
      expect(text).toContain(letter.qrUri);
      // Minted: hash(N1) names a credential stream whose hash(N2) is the letter's.
      expect(mintedByHashN1.get(hashToken(credential.n1)!)?.hashN2).toBe(hashToken(credential.n2));
    }

    // The read models after the command (read-your-writes through the reply's position).
    expect(voters.every((v) => v.credentialStatus === 'issued' && v.channel === 'email')).toBe(true);
    expect(await admin.request('query', 'credentials.count', { electionId })).toEqual({ minted: 50, used: 0 });
    expect(await admin.request('query', 'credentials.count', { electionId: 'unknown' })).toEqual({ minted: 0, used: 0 });

    // A re-run sends nothing.
    const again = await issueLettersByEmail(admin, token, electionId, sink);
    expect(again.summary).toMatchObject({ total: 0, issued: 0, alreadyIssued: 50 });
    expect(again.letters).toHaveLength(0);
  });

  it('refuses a letters folder that is not a plain name', async () => {
    const token = cluster.adminToken;
    for (const outDir of ['../escape', '/etc', 'a/b', '.hidden']) {
      await expect(admin.request('command', 'credentials.issue', { electionId: 'x', channel: 'letter', outDir }, { token })).rejects.toMatchObject({
        code: 'INVALID_PAYLOAD',
      });
    }
  });
});
