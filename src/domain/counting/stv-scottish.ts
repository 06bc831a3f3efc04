/** Scottish STV: SSI 2007/42 Schedule 1 rules 45–52 (docs/methods.md, "Single transferable vote"). */
import { checkInput, distinctChecker, lotPositions } from './check.ts';
import type { CountInput, CountResult, CountRound, RankedBallot } from './types.ts';

/** Every vote figure is an integer number of 10^-5 votes: rule 48(3) works "to five decimal places". */
export const STV_SCALE = 100_000;

type Status = 'continuing' | 'elected' | 'excluded';

/** `count` identical papers (a weight-w ballot is w papers), each worth `value`, sitting at `ranking[pos]`. */
interface Bundle {
  ranking: readonly number[];
  pos: number;
  count: number;
  value: number;
}

interface State {
  quota: number;
  total: number[];
  piles: Bundle[][];
  status: Status[];
  /** Elected candidates whose surplus is still to be transferred (rule 48). */
  pending: Set<number>;
  /** Totals at the end of every stage so far, for the earlier-stage tie rules 49(2) and 51(2). */
  history: number[][];
  lotRank: number[];
  winners: number[];
  rounds: CountRound[];
  nonTransferable: number;
  truncationLoss: number;
}

/** Counts ranked ballots by the Scottish STV rules; pure, and `lotOrder` decides what the rules leave to lot. */
export function countScottishStv(input: CountInput<RankedBallot>): CountResult {
  checkInput(input);
  const distinct = distinctChecker(input.candidates);
  for (const b of input.ballots) distinct(b.ranking);
  const n = input.candidates;
  const { bundles, valid, blank } = firstPreferenceBundles(input.ballots);
  const totalValid = valid * STV_SCALE;
  if (!Number.isSafeInteger(totalValid)) throw new RangeError('stv-scottish: total ballot weight exceeds 2^53 / 10^5');
  // Nothing expressed: nobody elected, one round of zeros (docs/methods.md, "Nothing to count").
  if (valid === 0) return { method: 'stv-scottish', winners: [], rounds: [{ round: 1, tallies: new Array<number>(n).fill(0), elected: [], eliminated: [] }], unit: UNIT };
  // Rule 46: valid papers ÷ (seats + 1), decimals ignored, plus one.
  const quota = (Math.floor(valid / (input.seats + 1)) + 1) * STV_SCALE;
  const lotRank = lotPositions(input.lotOrder);
  const s: State = {
    quota,
    total: new Array<number>(n).fill(0),
    piles: Array.from({ length: n }, () => []),
    status: new Array<Status>(n).fill('continuing'),
    pending: new Set(),
    history: [],
    lotRank,
    winners: [],
    rounds: [],
    nonTransferable: 0,
    truncationLoss: 0,
  };
  // Rule 45: one parcel per first preference, each paper worth one vote.
  for (const b of bundles) {
    const first = b.ranking[0] as number;
    s.piles[first]!.push(b);
    s.total[first]! += b.count * b.value;
  }
  let detail: Record<string, unknown> = { stage: 'first preferences', rule: '45', blank };
  let eliminated: number[] = [];
  let tieBreaks: string[] = [];
  for (;;) {
    const end = endOfStage(s, input.seats, tieBreaks);
    s.rounds.push(round(s, end.elected, eliminated, tieBreaks, detail, totalValid));
    if (end.done) break;
    tieBreaks = [];
    const surplusOf = pickSurplus(s, tieBreaks);
    if (surplusOf !== undefined) {
      detail = transferSurplus(s, surplusOf);
      eliminated = [];
    } else {
      const out = pickExclusion(s, tieBreaks);
      detail = exclude(s, out);
      eliminated = [out];
    }
  }
  return { method: 'stv-scottish', winners: s.winners, rounds: s.rounds, unit: UNIT };
}

const UNIT = 'votes × 10^-5 (integer units of 0.00001 vote)';

/** Identical rankings share a bundle (w papers of one vote each): the count cannot depend on ballot order. */
function firstPreferenceBundles(ballots: readonly RankedBallot[]): { bundles: Bundle[]; valid: number; blank: number } {
  const byRanking = new Map<string, Bundle>();
  let valid = 0;
  let blank = 0;
  for (const b of ballots) {
    // No first preference: rejected at the count (rule 43), so neither credited nor in the quota.
    if (b.ranking.length === 0) {
      blank += b.weight;
      continue;
    }
    valid += b.weight;
    const key = b.ranking.join(',');
    const seen = byRanking.get(key);
    if (seen) seen.count += b.weight;
    else byRanking.set(key, { ranking: b.ranking, pos: 0, count: b.weight, value: STV_SCALE });
  }
  const bundles = [...byRanking.values()].sort((a, b) => compareRankings(a.ranking, b.ranking));
  return { bundles, valid, blank };
}

function compareRankings(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

const continuing = (s: State): number[] => s.status.flatMap((st, c) => (st === 'continuing' ? [c] : []));

/** Rules 47 and 52 at the end of a stage; `done` once every seat is filled. */
function endOfStage(s: State, seats: number, tieBreaks: string[]): { elected: number[]; done: boolean } {
  s.history.push([...s.total]);
  // Rule 47: reaching the quota at any stage elects, highest total first when several do.
  const reached = orderByTotal(s, continuing(s).filter((c) => (s.total[c] as number) >= s.quota), '47', tieBreaks);
  const elected = reached.slice(0, seats - s.winners.length);
  for (const c of elected) elect(s, c);
  const open = seats - s.winners.length;
  const rest = continuing(s);
  // Rule 52: as many continuing candidates as vacancies → all elected, and no more transfers.
  if (open > 0 && rest.length <= open) {
    const last = orderByTotal(s, rest, '52', tieBreaks);
    for (const c of last) elect(s, c);
    return { elected: [...elected, ...last], done: true };
  }
  return { elected, done: open === 0 };
}

function elect(s: State, c: number): void {
  s.status[c] = 'elected';
  s.winners.push(c);
  if ((s.total[c] as number) > s.quota) s.pending.add(c);
}

/** Highest total first; equal totals by the latest earlier stage where they differed, then lot. */
function orderByTotal(s: State, cands: number[], rule: string, tieBreaks: string[]): number[] {
  const left = [...cands];
  const out: number[] = [];
  while (left.length > 0) {
    const top = Math.max(...left.map((c) => s.total[c] as number));
    const tied = left.filter((c) => s.total[c] === top);
    const pick = tied.length === 1 ? (tied[0] as number) : breakTie(s, tied, 'highest', `${rule} (order of election)`, tieBreaks);
    out.push(pick);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

/** Rules 49(2)/51(2): the latest earlier stage where the tied differ (narrowing as it goes back), else lot. */
function breakTie(s: State, tied: number[], want: 'highest' | 'lowest', rule: string, tieBreaks: string[]): number {
  let group = tied;
  // The last history entry is the current stage, where they are level by definition.
  for (let stage = s.history.length - 2; stage >= 0 && group.length > 1; stage--) {
    const totals = s.history[stage] as number[];
    const values = group.map((c) => totals[c] as number);
    const best = want === 'highest' ? Math.max(...values) : Math.min(...values);
    const narrowed = group.filter((c) => totals[c] === best);
    if (narrowed.length < group.length) {
      group = narrowed;
      if (group.length === 1) {
        tieBreaks.push(`rule ${rule}: ${want} at stage ${stage + 1} among [${tied.join(', ')}] → ${group[0]}`);
        return group[0] as number;
      }
    }
  }
  // Favoured = earliest in lotOrder: elected / transferred first, excluded last.
  const byLot = [...group].sort((a, b) => (s.lotRank[a] as number) - (s.lotRank[b] as number));
  const pick = (want === 'highest' ? byLot[0] : byLot[byLot.length - 1]) as number;
  tieBreaks.push(`rule ${rule}: lot among [${tied.join(', ')}] → ${pick}`);
  return pick;
}

/** Rule 49(1): the highest surplus is transferred first, one per stage. */
function pickSurplus(s: State, tieBreaks: string[]): number | undefined {
  if (s.pending.size === 0) return undefined;
  const cands = [...s.pending];
  const top = Math.max(...cands.map((c) => s.total[c] as number));
  const tied = cands.filter((c) => s.total[c] === top);
  return tied.length === 1 ? tied[0] : breakTie(s, tied, 'highest', '49(2)', tieBreaks);
}

/** Rule 50(1): the continuing candidate with the then lowest total; ties by rule 51. */
function pickExclusion(s: State, tieBreaks: string[]): number {
  const cands = continuing(s);
  const low = Math.min(...cands.map((c) => s.total[c] as number));
  const tied = cands.filter((c) => s.total[c] === low);
  return tied.length === 1 ? (tied[0] as number) : breakTie(s, tied, 'lowest', '51(2)', tieBreaks);
}

/** The "next available preference" (article 2): the next one for a continuing candidate. */
function advance(s: State, b: Bundle): number | undefined {
  for (let i = b.pos + 1; i < b.ranking.length; i++) {
    const c = b.ranking[i] as number;
    if (s.status[c] === 'continuing') {
      b.pos = i;
      return c;
    }
  }
  return undefined;
}

/** Rule 48: all papers held move on at ⌊surplus × paper value ÷ total⌋ (10^-5 units; the product in bigint). */
function transferSurplus(s: State, from: number): Record<string, unknown> {
  const total = s.total[from] as number;
  const surplus = total - s.quota;
  s.pending.delete(from);
  const tvOf = new Map<number, number>();
  const credited = new Array<number>(s.total.length).fill(0);
  let nonTransferable = 0;
  for (const b of s.piles[from] as Bundle[]) {
    let tv = tvOf.get(b.value);
    if (tv === undefined) {
      tv = Number((BigInt(surplus) * BigInt(b.value)) / BigInt(total));
      tvOf.set(b.value, tv);
    }
    b.value = tv;
    const to = advance(s, b);
    if (to === undefined) nonTransferable += b.count * tv;
    else {
      (s.piles[to] as Bundle[]).push(b);
      credited[to]! += b.count * tv;
    }
  }
  s.piles[from] = [];
  const transferred = credited.reduce((a, v) => a + v, 0);
  // What the truncation ignored stays nowhere: kept as an explicit figure so every stage sums exactly.
  const truncationLoss = surplus - transferred - nonTransferable;
  credited.forEach((v, c) => (s.total[c]! += v));
  s.total[from] = s.quota;
  s.nonTransferable += nonTransferable;
  s.truncationLoss += truncationLoss;
  const transferValues = [...tvOf.entries()].sort((a, b) => b[0] - a[0]).map(([paperValue, transferValue]) => ({ paperValue, transferValue }));
  return { stage: 'surplus', rule: '48', from, surplus, transferValues, credited, transferred, nonTransferable, truncationLoss };
}

/** Rule 50(2)–(4): every paper of the excluded candidate moves on at the value it arrived with. */
function exclude(s: State, out: number): Record<string, unknown> {
  s.status[out] = 'excluded';
  const credited = new Array<number>(s.total.length).fill(0);
  let nonTransferable = 0;
  for (const b of s.piles[out] as Bundle[]) {
    const to = advance(s, b);
    if (to === undefined) nonTransferable += b.count * b.value;
    else {
      (s.piles[to] as Bundle[]).push(b);
      credited[to]! += b.count * b.value;
    }
  }
  const excludedTotal = s.total[out] as number;
  s.piles[out] = [];
  credited.forEach((v, c) => (s.total[c]! += v));
  s.total[out] = 0;
  s.nonTransferable += nonTransferable;
  return { stage: 'exclusion', rule: '50', excluded: out, excludedTotal, credited, nonTransferable, truncationLoss: 0 };
}

function round(
  s: State,
  elected: number[],
  eliminated: number[],
  tieBreaks: string[],
  detail: Record<string, unknown>,
  totalValid: number,
): CountRound {
  const r: CountRound = {
    round: s.rounds.length + 1,
    tallies: [...s.total],
    elected,
    eliminated,
    detail: {
      ...detail,
      quota: s.quota,
      totalValid,
      continuing: continuing(s),
      nonTransferableTotal: s.nonTransferable,
      truncationLossTotal: s.truncationLoss,
    },
  };
  return tieBreaks.length > 0 ? { ...r, tieBreak: tieBreaks.join('; ') } : r;
}
