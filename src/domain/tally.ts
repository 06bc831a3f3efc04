/**
 * The tally decider; TallyPublished's counts are recomputed from every VoteCounted, never taken from the caller (docs/tally.md).
 */
import type { ElectionStatus } from './election-events.ts';
import { domainError, type DomainError } from './errors.ts';
import { VOTE_STATUSES, type RoundCounted, type TallyEvent, type TallyPublished, type TrusteeFaulted, type VoteCounted, type VoteStatus } from './tally-events.ts';
import { voteWeight } from './weight-classes.ts';
import type { BallotRules } from './ballot-form.ts';
import { countElection, publishedResult, roundEvents, type ValidVote } from './tally-count.ts';

export interface StartTally {
  type: 'StartTally';
  electionId: string;
  electionStatus: 'NONE' | ElectionStatus;
  /** BallotCast events the tally covers (before VotingEnded, one per ballot hash). */
  ballots: number;
  now: string;
}

export interface CountVotes {
  type: 'CountVotes';
  electionId: string;
  votes: VoteCounted['data'][];
}

export interface PublishTally {
  type: 'PublishTally';
  electionId: string;
  choices: string[];
  /** Elections with ballot rules: counted by the method with this lot (docs/methods.md, "The lot"); absent = plurality by choice text. */
  ballot?: { rules: BallotRules; lotOrder: number[] };
  now: string;
}

/** Trustees whose partials failed verification; one already named is not named again. */
export interface NameFaultyTrustees {
  type: 'NameFaultyTrustees';
  electionId: string;
  faults: Omit<TrusteeFaulted['data'], 'electionId' | 'faultedAt'>[];
  now: string;
}

export type TallyCommand = StartTally | CountVotes | NameFaultyTrustees | PublishTally;

// Counted votes: persistent with O(1) append and lookup, as the election's registered e-mails.

export interface CountedEntry {
  ballotHash: string;
  status: VoteStatus;
  choice: string | null;
  n2Commitment: string | null;
  /** A weighted election's VALID vote: counted this many times. */
  weight?: number;
}

class VoteLog {
  readonly ordinals = new Map<string, number>();
  readonly entries: CountedEntry[] = [];
}

export interface CountedVotes {
  readonly log: VoteLog | null;
  readonly count: number;
}

const NO_VOTES: CountedVotes = { log: null, count: 0 };

export function isCounted(votes: CountedVotes, ballotHash: string): boolean {
  const ordinal = votes.log?.ordinals.get(ballotHash);
  return ordinal !== undefined && ordinal < votes.count;
}

/** The counted votes in stream order, from the `from`-th on (a reader that folds as the stream grows). */
export function* countedEntries(votes: CountedVotes, from = 0): Generator<CountedEntry> {
  for (let i = from; i < votes.count; i++) yield votes.log?.entries[i] as CountedEntry;
}

function addVote(votes: CountedVotes, ballotHash: string, entry: CountedEntry): CountedVotes {
  let log = votes.log;
  if (log === null || log.entries.length !== votes.count) {
    const fork = new VoteLog();
    if (log !== null) {
      for (const [hash, ordinal] of log.ordinals) if (ordinal < votes.count) fork.ordinals.set(hash, ordinal);
      fork.entries.push(...log.entries.slice(0, votes.count));
    }
    log = fork;
  }
  log.ordinals.set(ballotHash, votes.count);
  log.entries.push(entry);
  return { log, count: votes.count + 1 };
}

export interface TallyState {
  status: 'NONE' | 'STARTED' | 'PUBLISHED';
  electionId: string | null;
  ballots: number;
  counted: CountedVotes;
  /** Trustee indexes named by TrusteeFaulted. */
  faultyTrustees: readonly number[];
  published: TallyPublished['data'] | null;
  /** RoundCounted events, in order (ballot rules only). */
  rounds: readonly RoundCounted['data'][];
}

export const initialTallyState: TallyState = Object.freeze({
  status: 'NONE',
  electionId: null,
  ballots: 0,
  counted: NO_VOTES,
  faultyTrustees: [],
  published: null,
  rounds: [],
}) as TallyState;

export function evolveTally(state: TallyState, event: TallyEvent): TallyState {
  switch (event.type) {
    case 'TallyStarted':
      return { ...state, status: 'STARTED', electionId: event.data.electionId, ballots: event.data.ballots };
    case 'VoteCounted': {
      const d = event.data;
      // A valid log never counts a ballot twice; ignoring a repeat keeps the counts honest.
      if (isCounted(state.counted, d.ballotHash)) return state;
      return { ...state, counted: addVote(state.counted, d.ballotHash, { ballotHash: d.ballotHash, status: d.status, choice: d.choice, n2Commitment: d.n2Commitment, ...(d.weight !== undefined && { weight: d.weight }) }) };
    }
    case 'TrusteeFaulted':
      return state.faultyTrustees.includes(event.data.trusteeIndex) ? state : { ...state, faultyTrustees: [...state.faultyTrustees, event.data.trusteeIndex] };
    case 'RoundCounted':
      return { ...state, rounds: [...state.rounds, event.data] };
    case 'TallyPublished':
      return { ...state, status: 'PUBLISHED', published: event.data };
    default:
      return state;
  }
}

/** VALID votes per choice (every choice present) and ballots per status (every status present). */
export function countVotes(votes: CountedVotes, choices: readonly string[]): { counts: Record<string, number>; statuses: Record<VoteStatus, number>; strays: string[] } {
  const counts: Record<string, number> = Object.fromEntries(choices.map((c) => [c, 0]));
  const statuses = Object.fromEntries(VOTE_STATUSES.map((s) => [s, 0])) as Record<VoteStatus, number>;
  const strays: string[] = [];
  for (const entry of countedEntries(votes)) {
    statuses[entry.status]++;
    if (entry.status !== 'VALID') continue;
    if (entry.choice !== null && Object.hasOwn(counts, entry.choice)) counts[entry.choice] = (counts[entry.choice] ?? 0) + voteWeight(entry);
    else strays.push(entry.choice ?? '');
  }
  return { counts, statuses, strays };
}

const notStarted = (command: TallyCommand['type']) =>
  domainError('WRONG_STATE', `${command} requires a started tally; it has not started`, { current: 'NONE', required: 'STARTED' });
const alreadyPublished = (command: TallyCommand['type']) =>
  domainError('WRONG_STATE', `${command} is refused: the tally is already published`, { current: 'PUBLISHED', required: 'STARTED' });

function startTally(cmd: StartTally, state: TallyState): TallyEvent[] | DomainError {
  if (cmd.electionStatus === 'NONE') return domainError('ELECTION_NOT_FOUND', 'no such election', { electionId: cmd.electionId });
  if (cmd.electionStatus !== 'VOTE_ENDED') {
    return domainError('WRONG_STATE', `the tally requires the election to be in VOTE_ENDED; it is in ${cmd.electionStatus}`, {
      current: cmd.electionStatus,
      required: 'VOTE_ENDED',
    });
  }
  if (state.status !== 'NONE') return [];
  if (!Number.isInteger(cmd.ballots) || cmd.ballots < 0) throw new RangeError('ballots must be a non-negative integer');
  return [{ type: 'TallyStarted', data: { electionId: cmd.electionId, ballots: cmd.ballots, startedAt: cmd.now } }];
}

function countVotesCommand(cmd: CountVotes, state: TallyState): TallyEvent[] | DomainError {
  if (state.status === 'NONE') return notStarted(cmd.type);
  if (state.status === 'PUBLISHED') return alreadyPublished(cmd.type);
  if (state.counted.count + cmd.votes.length > state.ballots) {
    return domainError('UNEXPECTED_BALLOT', `the tally covers ${state.ballots} ballots; ${state.counted.count} are counted already`, {
      ballots: state.ballots,
      counted: state.counted.count,
      offered: cmd.votes.length,
    });
  }
  const inBatch = new Set<string>();
  for (const vote of cmd.votes) {
    if (isCounted(state.counted, vote.ballotHash) || inBatch.has(vote.ballotHash)) {
      return domainError('ALREADY_COUNTED', 'this ballot is already counted', { ballotHash: vote.ballotHash });
    }
    inBatch.add(vote.ballotHash);
    if (!VOTE_STATUSES.includes(vote.status)) throw new RangeError(`unknown vote status ${String(vote.status)}`);
  }
  return cmd.votes.map((data) => ({ type: 'VoteCounted', data: { ...data, electionId: cmd.electionId } }));
}

function publishTally(cmd: PublishTally, state: TallyState): TallyEvent[] | DomainError {
  if (state.status === 'NONE') return notStarted(cmd.type);
  if (state.status === 'PUBLISHED') return [];
  if (state.counted.count < state.ballots) {
    return domainError('TALLY_INCOMPLETE', `${state.counted.count} of ${state.ballots} ballots are counted`, {
      counted: state.counted.count,
      ballots: state.ballots,
    });
  }
  if (cmd.ballot) return publishCounted(cmd, cmd.ballot, state);
  const { counts, statuses, strays } = countVotes(state.counted, cmd.choices);
  // A VALID vote whose choice is not on the ballot would silently vanish from `counts`.
  if (strays.length > 0) return domainError('INVALID_CHOICES', 'a VALID vote names a choice that is not on the ballot', { strays: strays.length });
  return [{ type: 'TallyPublished', data: { electionId: cmd.electionId, counts, statuses, ballots: state.counted.count, publishedAt: cmd.now } }];
}

function* validVotes(votes: CountedVotes): Generator<ValidVote> {
  for (const e of countedEntries(votes)) if (e.status === 'VALID') yield { ballotHash: e.ballotHash, choice: e.choice ?? '', ...(e.weight !== undefined && { weight: e.weight }) };
}

/** Rounds and TallyPublished in one decision, so one append writes them all or none (a shared tally publishes once). */
function publishCounted(cmd: PublishTally, ballot: NonNullable<PublishTally['ballot']>, state: TallyState): TallyEvent[] | DomainError {
  const { statuses } = countVotes(state.counted, []);
  const count = countElection(ballot.rules, cmd.choices, validVotes(state.counted), ballot.lotOrder);
  // The classifier decodes every VALID text by the same form: a stray means a broken log.
  if (!count.ok) return domainError('INVALID_CHOICES', "a VALID vote's text is not a ballot of the election's form", { strays: count.strays });
  const rounds: TallyEvent[] = roundEvents(cmd.electionId, count.result).map((data) => ({ type: 'RoundCounted', data }));
  const published: TallyPublished['data'] = {
    electionId: cmd.electionId,
    counts: {},
    statuses,
    ballots: state.counted.count,
    publishedAt: cmd.now,
    ...publishedResult(count.result, cmd.choices),
  };
  return [...rounds, { type: 'TallyPublished', data: published }];
}

function nameFaultyTrustees(cmd: NameFaultyTrustees, state: TallyState): TallyEvent[] | DomainError {
  if (state.status === 'NONE') return notStarted(cmd.type);
  if (state.status === 'PUBLISHED') return alreadyPublished(cmd.type);
  const named = new Set(state.faultyTrustees);
  const events: TallyEvent[] = [];
  for (const fault of cmd.faults) {
    if (named.has(fault.trusteeIndex)) continue;
    named.add(fault.trusteeIndex);
    events.push({ type: 'TrusteeFaulted', data: { electionId: cmd.electionId, ...fault, faultedAt: cmd.now } });
  }
  return events;
}

export function decideTally(command: TallyCommand, state: TallyState): TallyEvent[] | DomainError {
  switch (command.type) {
    case 'StartTally':
      return startTally(command, state);
    case 'CountVotes':
      return countVotesCommand(command, state);
    case 'NameFaultyTrustees':
      return nameFaultyTrustees(command, state);
    case 'PublishTally':
      return publishTally(command, state);
  }
}

export const tallyDecider = { decide: decideTally, evolve: evolveTally, initialState: initialTallyState };
