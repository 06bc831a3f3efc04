/**
 * The audit's recount of an election counted by its method (docs/audit.md, "The recount"): the
 * VALID texts the audit itself decided, counted again with the same method and the lot redrawn
 * from VotingEnded, compared round by round and field by field with RoundCounted and TallyPublished.
 * No Node built-in: the browser's audit runs it too.
 */
import { canonicalJson } from '../crypto/canonical.ts';
import type { CryptoPrimitives } from '../crypto/primitives.ts';
import { drawLot } from '../domain/counting/lot.ts';
import { countElection, publishedResult, roundEvents, type ValidVote } from '../domain/tally-count.ts';
import type { LogEntry } from '../domain/log-entry-text.ts';
import type { BallotRules } from '../domain/ballot-form.ts';
import type { RoundCounted, TallyPublished } from '../domain/tally-events.ts';

export interface RecountFailure {
  check: 'ROUND_MISMATCH' | 'ROUND_MISSING' | 'ROUND_EXTRA' | 'TALLY_WINNERS' | 'TALLY_METHOD' | 'TALLY_MISMATCH';
  message: string;
  /** The event the failure is named at: the first differing RoundCounted, or TallyPublished. */
  entry: LogEntry;
  round?: number;
}

export interface RecountInput {
  crypto: CryptoPrimitives;
  rules: BallotRules;
  candidates: readonly string[];
  lotSeed: string;
  valid: readonly ValidVote[];
  rounds: readonly { entry: LogEntry; data: RoundCounted['data'] }[];
  published: { entry: LogEntry; data: TallyPublished['data'] };
}

/** Fields of RoundCounted, compared in this order; any other field (electionId aside) is a mismatch too. */
const ROUND_FIELDS = ['round', 'tallies', 'elected', 'eliminated', 'tieBreak', 'detail'] as const;

/** The text a value has in the log (absent fields included), so the recount compares as the log stores. */
function logText(value: unknown): string {
  if (value === undefined) return 'absent';
  try {
    return canonicalJson(JSON.parse(JSON.stringify(value)));
  } catch {
    return 'not JSON';
  }
}

/** The first difference between the published count and the recount, or undefined when they agree. */
export function recount(input: RecountInput): RecountFailure | undefined {
  const { published } = input;
  const lotOrder = drawLot(input.crypto.sha256, input.lotSeed, input.candidates.length);
  let count: ReturnType<typeof countElection>;
  try {
    count = countElection(input.rules, input.candidates, input.valid, lotOrder);
  } catch (err) {
    return { check: 'TALLY_MISMATCH', message: `the VALID ballots cannot be counted: ${(err as Error).message}`, entry: published.entry };
  }
  if (!count.ok) return { check: 'TALLY_MISMATCH', message: `${count.strays} VALID ballot(s) are not ballots of the election's form`, entry: published.entry };
  const expected = roundEvents(published.data.electionId, count.result);
  for (let i = 0; i < Math.max(expected.length, input.rounds.length); i++) {
    const want = expected[i];
    const got = input.rounds[i];
    if (!got) return { check: 'ROUND_MISSING', message: `round ${i + 1} of ${expected.length} is not in the log`, entry: published.entry, round: i + 1 };
    if (!want) return { check: 'ROUND_EXTRA', message: `round ${i + 1} is published, the recount has ${expected.length}`, entry: got.entry, round: i + 1 };
    const data = got.data as unknown as Record<string, unknown>;
    const extra = Object.keys(data).find((k) => k !== 'electionId' && !(ROUND_FIELDS as readonly string[]).includes(k));
    const field = extra ?? ROUND_FIELDS.find((f) => logText(data[f]) !== logText(want[f]));
    if (field !== undefined) {
      return { check: 'ROUND_MISMATCH', message: `round ${i + 1}: ${field} is ${logText(data[field])}, the recount gives ${logText((want as Record<string, unknown>)[field])}`, entry: got.entry, round: i + 1 };
    }
  }
  const result = publishedResult(count.result, input.candidates);
  const d = published.data;
  if (d.method !== result.method || d.unit !== result.unit) {
    return { check: 'TALLY_METHOD', message: `TallyPublished names method ${String(d.method)} in ${String(d.unit)}, the election counts by ${result.method} in ${result.unit}`, entry: published.entry };
  }
  if (logText(d.winners) !== logText(result.winners)) {
    return { check: 'TALLY_WINNERS', message: `published winners ${logText(d.winners)}, the recount elects ${logText(result.winners)}`, entry: published.entry };
  }
  return undefined;
}
