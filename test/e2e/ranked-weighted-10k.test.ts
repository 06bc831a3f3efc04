/**
 * A ranked, weighted election at scale over the real gateway (PostgreSQL, Redis, SMTP sink, two
 * gateway processes): 10,000 voters (EVOTE_RANKED_VOTERS overrides it for local runs) in weight
 * classes 1, 2 and 5, 10 candidates, Scottish STV for 3 seats; seeded rankings of varying length
 * cast concurrently with the client library. The published rounds and winners equal countBallots on
 * the same weighted ballots under the lot redrawn here; the audit passes from the store and from the
 * exported file; a re-signed copy with one round-2 transfer changed fails as ROUND_MISMATCH, round 2.
 * Phase times are printed (never asserted: speed is measured in bench/).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote, type ClientApp } from '../../src/client/voter.ts';
import { audit, exportLogToFile } from '../../src/client/auditor.ts';
import { verifyFromStore, verifyLog } from '../../src/audit/verify.ts';
import { electionLogLines } from '../../src/audit/export.ts';
import { countBallots } from '../../src/domain/counting/index.ts';
import type { CountInput, RankedBallot } from '../../src/domain/counting/types.ts';
import { entryLeafHash } from '../../src/domain/log-entry.ts';
import { electionStreamId, tallyStreamId } from '../../src/domain/streams.ts';
import type { RoundCounted, TallyPublished } from '../../src/domain/tally-events.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { until, type TestCluster } from '../support/system.ts';
import { startMailedCluster, type MailedCluster } from '../support/mailed-cluster.ts';
import { issueLettersByEmail, type SmtpSink } from '../support/letters.ts';
import { inBatches } from '../support/in-batches.ts';
import { mulberry32 } from '../support/prng.ts';
import { untilCheckpointed } from '../support/checkpointed.ts';
import { resign, serialize, type Line } from '../audit/signed-election.ts';

const VOTERS = Number(process.env.EVOTE_RANKED_VOTERS ?? 10_000);
const CHOICES = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo'];
const SEATS = 3;
/** How likely each candidate is drawn next, so Ada's first preferences pass the quota (¼ of the weight) and her surplus transfers in round 2. */
const POPULARITY = [32, 14, 12, 10, 9, 8, 6, 4, 3, 2];
/** Seven voters in ten weigh 1, two weigh 2, one weighs 5. */
const weightOf = (i: number) => (i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 5);

/** Candidate indices best first, 1 to 10 of them, drawn without replacement by popularity. */
function drawRanking(next: () => number): number[] {
  const length = 1 + Math.floor(next() * CHOICES.length);
  const left = CHOICES.map((_, c) => c);
  const ranking: number[] = [];
  while (ranking.length < length) {
    let r = next() * left.reduce((a, c) => a + POPULARITY[c]!, 0);
    const k = left.findIndex((c) => (r -= POPULARITY[c]!) < 0);
    ranking.push(left.splice(k < 0 ? left.length - 1 : k, 1)[0]!);
  }
  return ranking;
}

let sink: SmtpSink;
let mailed: MailedCluster;
let cluster: TestCluster;
let admin: EvoteConnection;
let scratchDir: string;

beforeAll(async () => {
  // The first 20 QR codes are decoded and must match; the rest are read from the letters' text.
  mailed = await startMailedCluster({ processes: 2, sink: { decodeQrFirst: 20 } });
  ({ sink, cluster, admin } = mailed);
  scratchDir = await mkdtemp(path.join(tmpdir(), 'evote-ranked-10k-'));
}, 120_000);

afterAll(async () => {
  await mailed?.close();
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
});

/** The lot from its definition in docs/methods.md ("The lot") with node:crypto, not with drawLot. */
async function lotOf(electionId: string): Promise<number[]> {
  const ended = (await cluster.systems[0]!.store.readStream(electionStreamId(electionId))).find((e) => e.type === 'VotingEnded')!;
  const seed = Buffer.from(entryLeafHash(ended)).toString('hex');
  const key = (i: number) => createHash('sha256').update(`evote-lot/v1\u0000${seed}\u0000${i}`).digest('hex');
  return CHOICES.map((_, i) => i).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b));
}

describe(`a ranked election with ${VOTERS} weighted voters and ${CHOICES.length} candidates (STV, ${SEATS} seats)`, () => {
  it('is cast through the gateway, counted as countBallots counts it, audits clean, and a forged round-2 transfer is named', { timeout: 1_800_000 }, async () => {
    const token = cluster.adminToken;
    const phases: Record<string, number> = {};
    let since = Date.now();
    const phase = (name: string) => {
      phases[name] = (Date.now() - since) / 1000;
      since = Date.now();
    };

    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Board of trustees', choices: CHOICES, expectedVoters: VOTERS, weights: [1, 2, 5], form: { kind: 'ranked' }, method: 'stv-scottish', seats: SEATS },
      { token },
    );
    const domain = 'ranked10k.example.org';
    const csv = ['email,weight', ...Array.from({ length: VOTERS }, (_, i) => `voter${i}@${domain},${weightOf(i)}`)].join('\n') + '\n';
    await admin.request('command', 'election.importVoters', { electionId, csv }, { token, timeoutMs: 300_000 });
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'ranked 10k app' }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    phase('create, import, start');

    const { letters, summary } = await issueLettersByEmail(admin, token, electionId, sink);
    expect(sink.problems).toEqual([]);
    expect(summary.issued).toBe(VOTERS);
    expect(new Set(letters.map((l) => l.to)).size).toBe(VOTERS);
    phase('letters by SMTP');

    const next = mulberry32(0x10_000);
    const rankings = Array.from({ length: VOTERS }, () => drawRanking(next));
    const indexOf = (to: string) => Number(/^voter(\d+)@/.exec(to)![1]);
    const urls = cluster.systems.map((s) => s.gateway!.url);
    const receipts = await inBatches(letters, 25, (letter, i) =>
      vote({ url: urls[i % urls.length]!, credential: letter.credential, client, choice: { ranking: rankings[indexOf(letter.to)]!.map((c) => CHOICES[c]!) } }),
    );
    expect(new Set(receipts.map((r) => r.ballotHash)).size).toBe(VOTERS);
    // Every expected voter voted: the last ballot closes the election.
    await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 60_000, 'the close');
    phase('voting');

    await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 600_000 });
    phase('tally');

    const ballots: RankedBallot[] = rankings.map((ranking, i) => ({ weight: weightOf(i), ranking }));
    const input: CountInput<RankedBallot> = { candidates: CHOICES.length, seats: SEATS, ballots, lotOrder: await lotOf(electionId) };
    const expected = countBallots('stv-scottish', input);
    const events = await cluster.systems[0]!.store.readStream(tallyStreamId(electionId));
    const rounds = events.filter((e) => e.type === 'RoundCounted').map((e) => e.data as RoundCounted['data']);
    const tally = events.find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data'];
    expect(rounds.map(({ electionId: _e, ...r }) => r)).toEqual(JSON.parse(JSON.stringify(expected.rounds)));
    expect(tally).toMatchObject({ method: 'stv-scottish', unit: expected.unit, winners: expected.winners.map((i) => CHOICES[i]), ballots: VOTERS });
    expect(tally.statuses.VALID).toBe(VOTERS);
    expect(tally.winners).toHaveLength(SEATS);
    // Round 2 moves votes (the forgery below edits one of its transfers).
    const credited = (rounds[1]!.detail as { credited: number[] }).credited;
    expect(credited.some((x) => x > 0)).toBe(true);
    phase('recount with countBallots');

    await untilCheckpointed(cluster.systems[0]!.store, electionId);
    const report = await verifyFromStore(cluster.systems[0]!.store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.verdict, JSON.stringify({ warnings: report.warnings, gaps: report.gaps })).toBe('PASSED');
    expect(report.tallyPublished).toBe(true);
    expect(report.ballotsCounted).toBe(VOTERS);
    const file = path.join(scratchDir, `${electionId}.ndjson`);
    await exportLogToFile(urls[1]!, electionId, file);
    const fromExport = await audit({ from: file });
    expect(fromExport.failures).toEqual([]);
    expect(fromExport.verdict, JSON.stringify({ warnings: fromExport.warnings, gaps: fromExport.gaps })).toBe('PASSED');
    phase('audit (store and exported file)');

    const lines: Line[] = [];
    for await (const l of electionLogLines(cluster.systems[0]!.store, electionId)) lines.push(JSON.parse(JSON.stringify(l)) as Line);
    const round2 = lines.find((l) => l.type === 'RoundCounted' && l.data!.round === 2)!;
    // 10⁻⁵ of a vote credited to another candidate than the transfer gave it to.
    const forgedCredits = (round2.data!.detail as { credited: number[] }).credited;
    const to = forgedCredits.findIndex((x) => x > 0);
    forgedCredits[to]! -= 1;
    forgedCredits[(to + 1) % forgedCredits.length]! += 1;
    const forged = await verifyLog(serialize(resign(lines)));
    expect(forged.failures[0]).toMatchObject({ check: 'ROUND_MISMATCH', round: 2, position: round2.position });
    expect(forged.failures[0]!.message).toContain('round 2: detail');
    phase('forged audit');

    console.log(`ranked-weighted ${VOTERS} voters, ${rounds.length} rounds, winners ${tally.winners!.join(', ')}; seconds per phase: ${JSON.stringify(phases)}`);
  });
});
