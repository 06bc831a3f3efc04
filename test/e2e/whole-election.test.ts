/**
 * A whole election over the real gateway, on PostgreSQL and Redis, with two gateway processes:
 * 500 voters receive their letters by e-mail from a real SMTP server, each logs in through the
 * three levels, gets a blind signature and casts on a separate anonymous connection; the election
 * closes itself at the 500th ballot; the tally is right; every voter's receipt shows their vote
 * counted; and the independent verifier audits the log clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { checkReceipt, vote, type Receipt } from '../../src/client/voter.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

const VOTERS = 500;
const CHOICES = ['Alice', 'Bob', 'Carol'];
let sink: SmtpSink;
let cluster: TestCluster;
let admin: EvoteConnection;

beforeAll(async () => {
  // The first 50 QR codes are decoded and must match; the rest are read from the letters' text.
  sink = await startSmtpSink({ decodeQrFirst: 50 });
  cluster = await startTestCluster({ processes: 2, config: { smtpUrl: sink.url } });
  admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
});

afterAll(async () => {
  await admin?.close();
  await cluster?.close();
  await sink?.close();
});

async function inBatches<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

describe(`a whole election with ${VOTERS} voters over WebSocket`, () => {
  it('closes itself at the last ballot, tallies right, and every receipt shows its vote counted', { timeout: 300_000 }, async () => {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Chair of the board', choices: CHOICES, expectedVoters: VOTERS },
      { token },
    );
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(VOTERS) }, { token, timeoutMs: 60_000 });
    const client = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'test voting app' }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });

    const { letters, summary } = await issueLettersByEmail(admin, token, electionId, sink);
    expect(summary.issued).toBe(VOTERS);
    expect(letters).toHaveLength(VOTERS);
    expect(new Set(letters.map((l) => l.to)).size).toBe(VOTERS);
    // Each letter names its own voter in the text and carries the same credential in the QR code.
    for (const l of letters) {
      expect(l.text).toContain(l.credential.voterId);
      expect(l.text).toContain(l.credential.n1);
      expect(l.text).toContain(l.credential.n2);
    }

    const urls = cluster.systems.map((s) => s.gateway!.url);
    const choices = letters.map((_, i) => CHOICES[(i * 7 + Math.floor(i / 3)) % CHOICES.length]!);
    const receipts: Receipt[] = await inBatches(letters, 25, (letter, i) =>
      vote({ url: urls[i % urls.length]!, credential: letter.credential, client, choice: choices[i]! }),
    );
    expect(new Set(receipts.map((r) => r.ballotHash)).size).toBe(VOTERS);

    // The 500th ballot closes the election by itself (the auto-closer reacts to the log, so wait for it).
    await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the automatic close');
    const electionEvents = await cluster.systems[0]!.store.readStream(electionStreamId(electionId));
    const ended = electionEvents.filter((e) => e.type === 'VotingEnded');
    expect(ended).toHaveLength(1);
    expect((ended[0]!.data as { reason: string }).reason).toBe('ALL_VOTED');
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(row.status).toBe('VOTE_ENDED');

    const tally = await admin.request<{ counts: Record<string, number>; statuses: Record<string, number>; ballots: number }>(
      'command',
      'tally.run',
      { electionId },
      { token, timeoutMs: 120_000 },
    );
    const expected = Object.fromEntries(CHOICES.map((c) => [c, choices.filter((x) => x === c).length]));
    expect(tally.counts).toEqual(expected);
    expect(tally.ballots).toBe(VOTERS);
    expect(tally.statuses.VALID).toBe(VOTERS);

    const checks = await inBatches(receipts, 25, (r) => checkReceipt({ url: urls[1]!, electionId, receipt: r }));
    checks.forEach((c, i) => {
      expect(c.ballotHash).toBe(receipts[i]!.ballotHash);
      expect(c.status).toBe('VALID');
      expect(c.choice).toBe(choices[i]);
    });

    const report = await verifyFromStore(cluster.systems[0]!.store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.ballotsCounted).toBe(VOTERS);
    expect(report.counts).toEqual(expected);
  });
});
