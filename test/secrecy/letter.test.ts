/**
 * The letter alone finds no counted vote; the receipt file does. 30 voters vote through the reference
 * client on the real gateway (PostgreSQL, Redis), the election is tallied, and then someone holding
 * a letter (N1, N2, voter id, code) searches the exported public log and the receipt look-ups with
 * everything that can be computed from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { checkReceipt, vote, type Receipt } from '../../src/client/voter.ts';
import type { ClientApp } from '../../src/client/client-login.ts';
import type { Credential } from '../../src/credentials/credential-uri.ts';
import type { VoterRegistered } from '../../src/domain/election-events.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { n2Commitment } from '../../src/crypto/n2-commitment.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { mintCredentials } from '../ballots/fixture.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';
import { parseExport, type PublicEvent } from './linkage-attack.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

const VOTERS = 30;
/** Events that may mention a letter's values: none of them carries a ballot. */
const LETTER_SIDE = ['CredentialMinted', 'CredentialSpent', 'VoterRegistered', 'CredentialIssued', 'BlindSignatureIssued'];
const CHOICES = ['Ann', 'Bob', 'Cy'];

let cluster: TestCluster;
let url: string;
let electionId: string;
const letters: Credential[] = [];
const receipts: Receipt[] = [];
let log: PublicEvent[];

beforeAll(async () => {
  cluster = await startTestCluster({ config: { poolK: 8 } });
  const sys = cluster.systems[0]!;
  url = sys.gateway!.url;
  const token = cluster.adminToken;
  const admin = await EvoteConnection.connect(url);
  try {
    ({ electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Letters', choices: CHOICES, expectedVoters: VOTERS }, { token }));
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(VOTERS) }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'letter test' }, { token });
    const voterIds = (await sys.store.readStream(electionStreamId(electionId))).filter((e) => e.type === 'VoterRegistered').map((e) => (e.data as VoterRegistered['data']).voterId);
    const codes = voterIds.map(() => issueSecretCode());
    await sys.keyStore.putMany(voterIds.map((voterId, i) => ({ name: keyNames.credential(electionId, voterId), secret: codes[i]!.stored })));
    const tokens = await mintCredentials(sys.store, electionId, VOTERS);
    voterIds.forEach((voterId, i) => letters.push({ electionId, voterId, secretCode: codes[i]!.secretCode, ...tokens[i]! }));
    for (const [i, credential] of letters.entries()) receipts.push(await vote({ url, credential, client, choice: CHOICES[i % 3]! }));
    // The 30th ballot closes the election by itself.
    await until(async () => (await admin.request<{ status: string }>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the automatic close');
    await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 120_000 });
    log = parseExport(await (await fetch(`${sys.gateway!.httpUrl}/elections/${electionId}/log`)).text());
  } finally {
    await admin.close();
  }
}, 180_000);
afterAll(async () => cluster?.close());

/** Every value a letter's holder can derive without the voter's device. */
const fromLetter = (l: Credential) => [l.n1, l.n2, hashToken(l.n1)!, hashToken(l.n2)!, n2Commitment(l.n2, ''), l.voterId];

describe('what a letter finds after the tally', () => {
  it('no event that carries a ballot, a choice or a commitment mentions anything derived from a letter', () => {
    expect(log.filter((e) => e.type === 'VoteCounted')).toHaveLength(VOTERS);
    const ballotSide = log.filter((e) => ['BallotCast', 'VoteCounted'].includes(e.type));
    for (const l of letters) {
      const values = fromLetter(l);
      expect(ballotSide.filter((e) => values.some((v) => JSON.stringify(e).includes(v)))).toEqual([]);
      // What does mention it: the mint, the spend, the voter's own events; none names a ballot.
      const mentions = log.filter((e) => values.some((v) => JSON.stringify(e).includes(v)));
      expect(mentions.map((e) => e.type).filter((t) => !LETTER_SIDE.includes(t))).toEqual([]);
      const ballotHashes = new Set(receipts.map((r) => r.ballotHash));
      expect(mentions.filter((e) => [...ballotHashes].some((h) => JSON.stringify(e.data).includes(h)))).toEqual([]);
    }
  });

  it('the receipt look-up answers nothing to what a letter can compute', async () => {
    for (const l of letters.slice(0, 5)) {
      for (const salt of ['', l.n1, l.n2]) {
        const r = await checkReceipt({ url, electionId, receipt: { n2: l.n2, salt } }).then(
          () => 'found',
          (e: unknown) => (e instanceof EvoteError ? e.code : String(e)),
        );
        expect(r).toBe('BALLOT_NOT_FOUND');
      }
    }
  });

  it('the receipt file (N2 and the device salt) finds each counted vote', async () => {
    for (const [i, r] of receipts.entries()) {
      const check = await checkReceipt({ url, electionId, receipt: r });
      expect(check).toMatchObject({ ballotHash: r.ballotHash, status: 'VALID', choice: CHOICES[i % 3] });
    }
  });
});
