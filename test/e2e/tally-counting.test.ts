/**
 * Elections counted by their method over the real gateway (PostgreSQL, Redis, SMTP sink): ranked
 * (IRV, Schulze), approval, graded (majority judgment) and 3-seat Scottish STV, voted with the
 * client library; the tally publishes one RoundCounted per round and the winners, equal to
 * countBallots on the same ballots under the lot drawn from VotingEnded; the audit recounts them, and
 * a re-signed log with one round or the winners changed fails at that event. tally.results serves the
 * same outcome from the read model.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote, type ClientApp } from '../../src/client/voter.ts';
import type { BallotInput } from '../../src/client/ballot-choice.ts';
import { verifyFromStore, verifyLog } from '../../src/audit/verify.ts';
import { electionLogLines } from '../../src/audit/export.ts';
import { countBallots, type CountedMethod } from '../../src/domain/counting/index.ts';
import type { CountInput } from '../../src/domain/counting/types.ts';
import { entryLeafHash } from '../../src/domain/log-entry.ts';
import { electionStreamId, tallyStreamId } from '../../src/domain/streams.ts';
import type { RoundCounted, TallyPublished } from '../../src/domain/tally-events.ts';
import type { TallyOutcome } from '../../src/tally/tally-run.ts';
import { until, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, type SmtpSink } from '../support/letters.ts';
import { startMailedCluster, type MailedCluster } from '../support/mailed-cluster.ts';
import { resign, serialize, type Line } from '../audit/signed-election.ts';
import { verifyStream } from '../../web/src/audit/verify-run.ts';
import { resultsTable } from '../../src/cli/tally-commands.ts';
import type { TallyResults } from '../../src/projections/tally-queries.ts';
import { formatReport } from '../../src/audit/report.ts';

let mailed: MailedCluster;
let sink: SmtpSink;
let cluster: TestCluster;
let admin: EvoteConnection;
let client: ClientApp;

beforeAll(async () => {
  mailed = await startMailedCluster();
  ({ sink, cluster, admin } = mailed);
  client = await admin.request<ClientApp>('command', 'clients.register', { name: 'counting test app' }, { token: cluster.adminToken });
}, 60_000);

afterAll(async () => {
  await mailed?.close();
});

/**
 * The lot redrawn here from its definition in docs/methods.md ("The lot") with node:crypto, not with
 * drawLot: candidates sorted by SHA-256("evote-lot/v1" ‖ 0 ‖ hex leaf hash of VotingEnded ‖ 0 ‖ index).
 */
async function lotOf(electionId: string, candidates: number): Promise<number[]> {
  const ended = (await cluster.systems[0]!.store.readStream(electionStreamId(electionId))).find((e) => e.type === 'VotingEnded')!;
  const seed = Buffer.from(entryLeafHash(ended)).toString('hex');
  const key = (i: number) => createHash('sha256').update(`evote-lot/v1\u0000${seed}\u0000${i}`).digest('hex');
  return Array.from({ length: candidates }, (_, i) => i).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b));
}

interface Case {
  name: string;
  method: CountedMethod;
  form: Record<string, unknown>;
  seats?: number;
  choices: string[];
  /** What each voter casts with the client library, and the same ballot as countBallots takes it. */
  ballots: { input: BallotInput; counted: Record<string, unknown> }[];
}

const ranked = (names: string[], choices: string[]) => ({ input: { ranking: names }, counted: { weight: 1, ranking: names.map((n) => choices.indexOf(n)) } });
const IRV_CHOICES = ['Ada', 'Bob', 'Cy'];
const STV_CHOICES = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve'];
const MJ_SCALE = ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'];

const CASES: Case[] = [
  {
    // Round 1: Ada 2, Bob 1, Cy 2 → Bob out; his ballot goes to Cy in round 2.
    name: 'IRV',
    method: 'irv',
    form: { kind: 'ranked' },
    choices: IRV_CHOICES,
    ballots: [['Ada'], ['Ada', 'Bob'], ['Bob', 'Cy'], ['Cy', 'Bob'], ['Cy', 'Ada']].map((r) => ranked(r, IRV_CHOICES)),
  },
  {
    name: 'Schulze',
    method: 'schulze',
    form: { kind: 'ranked' },
    choices: IRV_CHOICES,
    ballots: [['Ada', 'Cy', 'Bob'], ['Bob', 'Ada'], ['Cy', 'Bob', 'Ada'], ['Bob', 'Cy'], ['Ada', 'Bob']].map((r) => ranked(r, IRV_CHOICES)),
  },
  {
    name: 'approval',
    method: 'approval',
    form: { kind: 'approval' },
    choices: ['Ada', 'Bob', 'Cy', 'Dee'],
    ballots: [['Ada', 'Bob'], ['Bob'], ['Cy', 'Dee', 'Bob'], ['Ada'], ['Dee']].map((a) => ({ input: { approved: a }, counted: { weight: 1, approved: a.map((n) => ['Ada', 'Bob', 'Cy', 'Dee'].indexOf(n)).sort((x, y) => x - y) } })),
  },
  {
    name: 'majority judgment',
    method: 'majority-judgment',
    form: { kind: 'graded', scale: MJ_SCALE },
    choices: IRV_CHOICES,
    ballots: ([
      { Ada: 'Good', Bob: 'Fair', Cy: 'Poor' },
      { Ada: 'Fair', Bob: 'Excellent', Cy: 'Good' },
      { Ada: 'Excellent', Bob: 'Good', Cy: 'Reject' },
      { Ada: 'Poor', Bob: 'Good', Cy: 'Fair' },
      { Ada: 'Good', Bob: 'Poor' },
    ] as Record<string, string>[]).map((g) => ({ input: { grades: g }, counted: { weight: 1, grades: IRV_CHOICES.map((c) => (c in g ? MJ_SCALE.indexOf(g[c]!) : null)) } })),
  },
  {
    // Quota floor(9/4)+1 = 3: Ada's surplus of 2 is transferred, then exclusions fill the last seats.
    name: 'Scottish STV, 3 seats',
    method: 'stv-scottish',
    form: { kind: 'ranked' },
    seats: 3,
    choices: STV_CHOICES,
    ballots: [
      ['Ada', 'Bob'],
      ['Ada', 'Bob', 'Cy'],
      ['Ada', 'Cy'],
      ['Ada', 'Dee'],
      ['Ada', 'Bob'],
      ['Cy', 'Eve'],
      ['Dee', 'Cy'],
      ['Eve', 'Dee'],
      ['Bob', 'Eve'],
    ].map((r) => ranked(r, STV_CHOICES)),
  },
];

/** Creates, votes, closes (every voter votes) and tallies one election; its id and tally.run's outcome. */
async function runElection(c: Case): Promise<{ electionId: string; outcome: TallyOutcome }> {
  const token = cluster.adminToken;
  const url = cluster.systems[0]!.gateway!.url;
  const n = c.ballots.length;
  const { electionId } = await admin.request<{ electionId: string }>(
    'command',
    'election.create',
    { theme: c.name, choices: c.choices, expectedVoters: n, form: c.form, method: c.method, ...(c.seats && { seats: c.seats }) },
    { token },
  );
  await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(n, `${c.method}.example.org`) }, { token });
  await admin.request('command', 'election.start', { electionId }, { token });
  const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
  for (let i = 0; i < n; i++) await vote({ url, credential: letters[i]!.credential, client, choice: c.ballots[i]!.input });
  await until(async () => (await admin.request<{ status: string }>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');
  const outcome = await admin.request<TallyOutcome>('command', 'tally.run', { electionId }, { token, timeoutMs: 60_000 });
  return { electionId, outcome };
}

const published = async (electionId: string) => {
  const events = await cluster.systems[0]!.store.readStream(tallyStreamId(electionId));
  return {
    types: events.map((e) => e.type),
    rounds: events.filter((e) => e.type === 'RoundCounted').map((e) => e.data as RoundCounted['data']),
    tally: events.find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data'],
  };
};

/** A byte stream of the text, as the browser's audit reads a file or a fetch body. */
const streamOf = (text: string) => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode(text)), c.close()) });

/**
 * The audit of a copy of the log, edited and re-signed as a forger holding a log key would; run by
 * the CLI's audit and by the browser's (web/src/audit, @noble primitives), which must agree.
 */
async function auditForged(electionId: string, edit: (lines: Line[]) => Line): Promise<{ failures: { check: string; message: string; position: number | null; round?: number }[]; at: Line }> {
  const lines: Line[] = [];
  for await (const l of electionLogLines(cluster.systems[0]!.store, electionId)) lines.push(JSON.parse(JSON.stringify(l)) as Line);
  const at = edit(lines);
  const forged = serialize(resign(lines));
  const report = await verifyLog(forged, { workers: 1 });
  const text = forged.join('\n') + '\n';
  const browser = await verifyStream(streamOf(text), { totalBytes: text.length });
  expect(browser.failures[0]).toEqual(report.failures[0]);
  return { failures: report.failures, at };
}

describe('elections counted by their method through the gateway', () => {
  const ran = new Map<string, string>();

  it.each(CASES)('$name: rounds and winners are countBallots on the cast ballots, and the audit recounts them', { timeout: 180_000 }, async (c) => {
    const { electionId, outcome } = await runElection(c);
    ran.set(c.name, electionId);
    const input: CountInput<never> = { candidates: c.choices.length, seats: c.seats ?? 1, ballots: c.ballots.map((b) => b.counted) as never[], lotOrder: await lotOf(electionId, c.choices.length) };
    const expected = countBallots(c.method, input);
    const log = await published(electionId);

    // All rounds and TallyPublished last, after every VoteCounted.
    const firstRound = log.types.indexOf('RoundCounted');
    expect(log.types.slice(firstRound)).toEqual([...expected.rounds.map(() => 'RoundCounted'), 'TallyPublished']);
    expect(log.types.slice(0, firstRound).filter((t) => t !== 'VoteCounted')).toEqual(['TallyStarted']);
    expect(log.rounds.map(({ electionId: _e, ...r }) => r)).toEqual(JSON.parse(JSON.stringify(expected.rounds)));
    expect(log.tally).toMatchObject({ method: c.method, unit: expected.unit, winners: expected.winners.map((i) => c.choices[i]), counts: {}, ballots: c.ballots.length });
    expect(log.tally.statuses.VALID).toBe(c.ballots.length);
    expect(outcome.winners).toEqual(log.tally.winners);
    expect(outcome.rounds).toEqual(log.rounds);
    // `evote tally` prints the winners, not an empty table of counts.
    expect(resultsTable(outcome)).toContain(`counted by ${c.method} in ${expected.rounds.length} round(s)\nelected: ${log.tally.winners!.join(', ')}\nvalid    ${c.ballots.length}`);
    // The read side: tally.results carries the outcome as the log has it (each round without its detail), not `counts: {}` alone.
    const results = await admin.request<TallyResults>('query', 'tally.results', { electionId });
    expect(results).toMatchObject({ published: true, counts: {}, ballots: c.ballots.length });
    expect(results.outcome).toEqual({
      method: log.tally.method,
      unit: log.tally.unit,
      winners: log.tally.winners,
      rounds: log.rounds.map(({ electionId: _e, detail: _d, ...r }) => r),
    });
    // `evote election results` reads the same: the winners, not an empty table.
    expect(resultsTable({ ...results, ...results.outcome })).toBe(resultsTable(outcome));
    expect(expected.winners).toHaveLength(c.seats ?? 1);

    const report = await verifyFromStore(cluster.systems[0]!.store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.tallyPublished).toBe(true);
    expect(report.elected).toEqual({ method: c.method, winners: log.tally.winners, rounds: expected.rounds.length });
    expect(formatReport(report)).toContain(`  tally: counted by ${c.method} in ${expected.rounds.length} round(s), elected: ${log.tally.winners!.join(', ')}\n`);
    // The browser's audit recounts the untouched log alike.
    const untouched = await auditForged(electionId, (lines) => lines[0]!);
    expect(untouched.failures).toEqual([]);
    // Re-running a published tally returns it as it is, rounds included.
    const again = await admin.request<TallyOutcome>('command', 'tally.run', { electionId }, { token: cluster.adminToken });
    expect(again.rounds).toEqual(outcome.rounds);
    expect((await published(electionId)).types).toEqual(log.types);
  });

  it('the IRV count went to a second round with a transfer (the tamper tests below rely on it)', async () => {
    const { rounds } = await published(ran.get('IRV')!);
    expect(rounds).toHaveLength(2);
    expect(rounds[0]!.eliminated).toEqual([1]);
  });

  it('a re-signed log with round 2 changed fails the audit at round 2 (ROUND_MISMATCH)', { timeout: 60_000 }, async () => {
    const { failures, at } = await auditForged(ran.get('IRV')!, (lines) => {
      const round2 = lines.find((l) => l.type === 'RoundCounted' && l.data!.round === 2)!;
      const tallies = round2.data!.tallies as number[];
      // Bob's transferred ballot moved from Cy to Ada.
      tallies[0]! += 1;
      tallies[2]! -= 1;
      return round2;
    });
    expect(failures[0]).toMatchObject({ check: 'ROUND_MISMATCH', round: 2, position: at.position });
    expect(failures[0]!.message).toContain('round 2: tallies');
  });

  it('an STV transfer changed in round 2 is named there too, and a round left out is ROUND_MISSING', { timeout: 60_000 }, async () => {
    const id = ran.get('Scottish STV, 3 seats')!;
    const changed = await auditForged(id, (lines) => {
      const round2 = lines.find((l) => l.type === 'RoundCounted' && l.data!.round === 2)!;
      // 10⁻⁵ of a vote credited to another candidate than the transfer gave it to.
      const credited = (round2.data!.detail as { credited: number[] }).credited;
      const to = credited.findIndex((x) => x > 0);
      credited[to]! -= 1;
      credited[(to + 1) % credited.length]! += 1;
      return round2;
    });
    expect(changed.failures[0]).toMatchObject({ check: 'ROUND_MISMATCH', round: 2, position: changed.at.position });
    expect(changed.failures[0]!.message).toContain('round 2: detail');

    const missing = await auditForged(id, (lines) => {
      const last = lines.map((l) => l.type).lastIndexOf('RoundCounted');
      lines.splice(last, 1);
      const tally = lines.find((l) => l.type === 'TallyPublished')!;
      // The tally stream's revisions stay gapless, as a forger would keep them.
      tally.revision = (tally.revision as number) - 1;
      return tally;
    });
    expect(missing.failures[0]).toMatchObject({ check: 'ROUND_MISSING', position: missing.at.position });
  });

  it('a re-signed log with another winner fails the audit at TallyPublished (TALLY_WINNERS)', { timeout: 60_000 }, async () => {
    const { failures, at } = await auditForged(ran.get('Schulze')!, (lines) => {
      const tally = lines.find((l) => l.type === 'TallyPublished')!;
      const winners = tally.data!.winners as string[];
      tally.data!.winners = [IRV_CHOICES.find((c) => c !== winners[0])!];
      return tally;
    });
    expect(failures[0]).toMatchObject({ check: 'TALLY_WINNERS', position: at.position });
  });
});
