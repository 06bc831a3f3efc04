/**
 * A whole election over the real gateway, as one suite parameterised by running mode: letters by
 * e-mail from a real SMTP server, each voter logs in through the three levels, gets a blind
 * signature and casts on a separate anonymous connection, spread over the gateway processes; the
 * election closes (by itself at the last ballot, or by the admin when some abstain); the tally is
 * right; every receipt shows its vote counted; and the log, read from the store and exported over
 * HTTP, audits clean.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { checkReceipt, vote, type Receipt } from '../../src/client/voter.ts';
import { audit, exportLogToFile } from '../../src/client/auditor.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { Config } from '../../src/app/config.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { untilCheckpointed } from './checkpointed.ts';
import { electionStreamId } from '../../src/domain/streams.ts';
import { until, voterCsv, type TestCluster } from './system.ts';
import { startMailedCluster, type MailedCluster } from './mailed-cluster.ts';
import { issueLettersByEmail, type SmtpSink } from './letters.ts';
import { inBatches } from './in-batches.ts';

export interface WholeElectionMode {
  /** The running mode, as the suite's title names it. */
  name: string;
  voters: number;
  /** Voters who never vote. 0: the last ballot closes the election (ALL_VOTED); more: the admin ends it. */
  abstainers: number;
  processes: number;
  /** The mode's settings beyond a scratch PostgreSQL database and Redis (e.g. `eventStoreUrl`). */
  config?: Partial<Config>;
  /** Why the mode cannot run here: the suite is then reported skipped, with this reason in its title. */
  skipReason?: string;
}

const CHOICES = ['Alice', 'Bob', 'Carol'];

export function wholeElectionSuite(mode: WholeElectionMode): void {
  const voting = mode.voters - mode.abstainers;
  const title = `a whole election with ${mode.voters} voters over WebSocket, ${mode.name}`;
  const suite = mode.skipReason ? describe.skip : describe;

  suite(mode.skipReason ? `${title} (skipped: ${mode.skipReason})` : title, () => {
    let mailed: MailedCluster;
    let sink: SmtpSink;
    let cluster: TestCluster;
    let admin: EvoteConnection;
    let scratchDir: string;

    beforeAll(async () => {
      // The first 50 QR codes are decoded and must match; the rest are read from the letters' text.
      mailed = await startMailedCluster({ processes: mode.processes, sink: { decodeQrFirst: 50 }, ...(mode.config && { config: mode.config }) });
      ({ sink, cluster, admin } = mailed);
      scratchDir = await mkdtemp(path.join(tmpdir(), 'evote-whole-election-'));
    }, 120_000);

    afterAll(async () => {
      await mailed?.close();
      if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
    });

    it('closes, tallies right, every receipt shows its vote counted, and the exported log audits clean', { timeout: 300_000 }, async () => {
      const token = cluster.adminToken;
      const { electionId } = await admin.request<{ electionId: string }>(
        'command',
        'election.create',
        { theme: 'Chair of the board', choices: CHOICES, expectedVoters: mode.voters },
        { token },
      );
      await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(mode.voters) }, { token, timeoutMs: 60_000 });
      const client = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'test voting app' }, { token });
      await admin.request('command', 'election.start', { electionId }, { token });

      const { letters, summary } = await issueLettersByEmail(admin, token, electionId, sink);
      expect(summary.issued).toBe(mode.voters);
      expect(letters).toHaveLength(mode.voters);
      expect(new Set(letters.map((l) => l.to)).size).toBe(mode.voters);
      // Each letter names its own voter in the text and carries the same credential in the QR code.
      for (const l of letters) {
        expect(l.text).toContain(l.credential.voterId);
        expect(l.text).toContain(l.credential.n1);
        expect(l.text).toContain(l.credential.n2);
      }

      const urls = cluster.systems.map((s) => s.gateway!.url);
      const voters = letters.slice(0, voting);
      const choices = voters.map((_, i) => CHOICES[(i * 7 + Math.floor(i / 3)) % CHOICES.length]!);
      const receipts: Receipt[] = await inBatches(voters, 25, (letter, i) =>
        vote({ url: urls[i % urls.length]!, credential: letter.credential, client, choice: choices[i]! }),
      );
      expect(new Set(receipts.map((r) => r.ballotHash)).size).toBe(voting);

      // With everyone voting, the last ballot closes the election (the auto-closer reacts to the log, so wait for it).
      if (mode.abstainers > 0) await admin.request('command', 'election.end', { electionId }, { token });
      await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');
      const ended = (await cluster.systems[0]!.store.readStream(electionStreamId(electionId))).filter((e) => e.type === 'VotingEnded');
      expect(ended).toHaveLength(1);
      expect((ended[0]!.data as { reason: string }).reason).toBe(mode.abstainers > 0 ? 'ADMIN' : 'ALL_VOTED');

      const tally = await admin.request<{ counts: Record<string, number>; statuses: Record<string, number>; ballots: number }>(
        'command',
        'tally.run',
        { electionId },
        { token, timeoutMs: 120_000 },
      );
      const expected = Object.fromEntries(CHOICES.map((c) => [c, choices.filter((x) => x === c).length]));
      expect(tally.counts).toEqual(expected);
      expect(tally.ballots).toBe(voting);
      expect(tally.statuses.VALID).toBe(voting);

      const checks = await inBatches(receipts, 25, (r) => checkReceipt({ url: urls[1 % urls.length]!, electionId, receipt: r }));
      checks.forEach((c, i) => {
        expect(c.ballotHash).toBe(receipts[i]!.ballotHash);
        expect(c.status).toBe('VALID');
        expect(c.choice).toBe(choices[i]);
      });

      await untilCheckpointed(cluster.systems[0]!.store, electionId);
      const report = await verifyFromStore(cluster.systems[0]!.store, electionId);
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.ballotsCounted).toBe(voting);
      expect(report.counts).toEqual(expected);

      // What an outside auditor does: export the log over HTTP from the last gateway, then verify the file alone.
      const file = path.join(scratchDir, `${electionId}.ndjson`);
      const exported = await exportLogToFile(urls[urls.length - 1]!, electionId, file);
      expect(exported.lines).toBeGreaterThan(voting);
      const fromExport = await audit({ from: file });
      expect(fromExport.failures).toEqual([]);
      expect(fromExport.verdict).toBe('PASSED');
      expect(fromExport.ballotsCounted).toBe(voting);
      expect(fromExport.counts).toEqual(expected);
    });
  });
}
