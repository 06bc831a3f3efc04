/**
 * One tally run, resumable and never counting twice, sharing the work with every other run of the
 * same tally through range claims (docs/tally.md "Running it", "A tally on several processes").
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { parseThresholdParams } from '../crypto/threshold-rsa.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { Result } from '../domain/errors.ts';
import { domainError } from '../domain/errors.ts';
import type { TallyPublished, VoteStatus } from '../domain/tally-events.ts';
import { tallyDecider, initialTallyState, type PublishTally } from '../domain/tally.ts';
import { drawLot } from '../domain/counting/lot.ts';
import { countedByMethod } from '../domain/tally-count.ts';
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { decideAndAppendTally, loadTally, type TallyAggregate } from '../commands/tally-command.ts';
import { loadTallyKeys } from './counter-key.ts';
import { weightClassInit } from './weighted-signature.ts';
import { readCoveredBallots, type CoveredBallots } from './covered-ballots.ts';
import { readElectionFacts, type ElectionFacts } from './election-facts.ts';
import { createTallyPool, type BallotOpener, type TallyPool } from './pool.ts';
import type { TallyRangeClaims } from './range-claims.ts';
import { countInRanges } from './range-counting.ts';
import type { TrusteePartialsStore } from './trustee-partials-store.ts';
import { completeTrustees, notEnoughTrustees, NotEnoughTrusteesError, trusteeOpener, type NamedFault } from './trustee-opening.ts';
import type { WorkerInit } from './worker-protocol.ts';

export interface TallyRunDeps {
  store: EventStore;
  keyStore: KeyStore;
  /** Where runs of the same tally (this process's or others') claim ranges of ballots. */
  claims: TallyRangeClaims;
  /** Where trustees' partial decryptions are (needed for trustee elections only). */
  partials?: TrusteePartialsStore;
  now: () => Date;
  log?: Logger;
}

export interface TallyProgress {
  done: number;
  /** Ballots the tally covers (TallyStarted.ballots). */
  total: number;
  position: number;
}

export interface TallyRunOptions {
  electionId: string;
  /** Default os.availableParallelism(). */
  workers?: number;
  /** Default 500. */
  appendBatch?: number;
  /** Ciphertexts per message to a worker (default 256). */
  chunk?: number;
  /** Ballots per claimed range, when this run is the first to plan the tally (default 500). */
  rangeSize?: number;
  /** How long a claim lasts unless renewed (renewed every third of it; default 10 s). */
  leaseMs?: number;
  /** How often a run waiting for an earlier range re-reads the tally stream (default 50 ms). */
  pollMs?: number;
  onProgress?: (p: TallyProgress) => void;
}

export interface TallyOutcome {
  electionId: string;
  counts: Record<string, number>;
  /** Elections with ballot rules: the method, its unit, the winners by name and the rounds (RoundCounted). */
  method?: string;
  unit?: string;
  winners?: string[];
  rounds?: TallyAggregate['state']['rounds'];
  statuses: Record<VoteStatus, number>;
  ballots: number;
  publishedAt: string;
  position: number;
  /** Ballots left out, when this run computed them (not for an already published tally). */
  excluded?: { afterEnd: number; repeats: number };
  /** Trustee elections: trustees this run named for partials that failed their proof. */
  faultyTrustees?: string[];
}

const noop = () => {};

function outcomeOf(aggregate: TallyAggregate, covered?: CoveredBallots): TallyOutcome {
  const published = aggregate.state.published as TallyPublished['data'];
  const { electionId, counts, statuses, ballots, publishedAt, method, unit, winners } = published;
  const outcome: TallyOutcome = { electionId, counts, statuses, ballots, publishedAt, position: aggregate.position };
  if (method !== undefined) Object.assign(outcome, { method, unit, winners, rounds: aggregate.state.rounds });
  if (covered) outcome.excluded = { afterEnd: covered.excludedAfterEnd, repeats: covered.excludedRepeats };
  return outcome;
}

export const DEFAULT_RANGE_SIZE = 500;
export const DEFAULT_LEASE_MS = 10_000;

export async function runTally(deps: TallyRunDeps, opts: TallyRunOptions): Promise<Result<TallyOutcome>> {
  const { store, electionId } = { store: deps.store, electionId: opts.electionId };
  const facts = await readElectionFacts(store, electionId);
  const first = await loadTally(store, electionId);
  if (first.state.published) return { ok: true, value: outcomeOf(first) };
  // The decider owns the lifecycle rule (only after VOTE_ENDED); ask it before doing any work.
  const gate = tallyDecider.decide(
    { type: 'StartTally', electionId, electionStatus: facts?.status ?? 'NONE', ballots: 0, now: deps.now().toISOString() },
    initialTallyState,
  );
  if (!Array.isArray(gate)) return { ok: false, error: gate };
  const ended = facts as ElectionFacts & { endedPosition: number };

  const keys = ended.trustees ? trusteeKeys(ended) : await loadTallyKeys(deps.keyStore, ended);
  if (!keys.ok) return keys;
  // Workers take a while to load: start them while the log is read.
  const starting = createTallyPool({ electionId, size: opts.workers, ...keys.value, ...weightClassInit(ended) });
  starting.catch(noop); // awaited below; this only keeps a start failure during the read from being "unhandled"
  let covered: CoveredBallots;
  try {
    covered = await readCoveredBallots(store, electionId, { afterPosition: ended.createdPosition - 1, endedPosition: ended.endedPosition });
  } catch (err) {
    await starting.then((p) => p.close(), noop);
    throw err;
  }
  const pool = await starting;
  try {
    const result = ended.trustees ? await trusteeTally(deps, opts, ended, covered, pool) : await shareTally(deps, opts, ended, covered, pool, pool);
    if (result.ok) {
      deps.log?.info('tally published', { electionId, ballots: result.value.ballots, excluded: result.value.excluded, workers: pool.size });
    }
    return result;
  } finally {
    await pool.close();
  }
}

function trusteeKeys(facts: ElectionFacts): Result<Omit<WorkerInit, 'electionId'>> {
  if (!facts.trustees || facts.authorityPublicKey === undefined || facts.ballotPublicKey === undefined) {
    return { ok: false, error: domainError('COUNTER_KEY_UNAVAILABLE', 'the election published no authority or ballot public key') };
  }
  const spki = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));
  return {
    ok: true,
    value: { authorityPublicKeySpki: spki(facts.authorityPublicKey), threshold: { params: facts.trustees.params, ballotPublicKeySpki: spki(facts.ballotPublicKey) } },
  };
}

/** A trustee election: at least k complete trustees first, then the shared tally with their partials; faults are named. */
async function trusteeTally(deps: TallyRunDeps, opts: TallyRunOptions, facts: ElectionFacts, covered: CoveredBallots, pool: TallyPool): Promise<Result<TallyOutcome>> {
  const transcript = facts.trustees;
  if (!transcript || !deps.partials) throw new Error('a trustee election needs its transcript and the partials store');
  const { electionId } = facts;
  const named = new Set((await loadTally(deps.store, electionId)).state.faultyTrustees);
  const usable = (await completeTrustees(deps.partials, electionId, covered.ballots)).filter((i) => !named.has(i));
  if (usable.length < transcript.threshold) return { ok: false, error: notEnoughTrustees(transcript, usable, [...named]) };
  const faults = new Map<number, NamedFault>();
  const params = parseThresholdParams(transcript.params);
  // The election was created with parsed parameters (checkTranscriptKeys): this is a broken log.
  if (!params.ok) throw new Error(`the threshold parameters of election ${electionId} do not parse`);
  const opener = trusteeOpener({ pool, partials: deps.partials, electionId, transcript, params: params.value, excluded: named, faults });
  // Named before TallyPublished, so that the final checkpoint signs the accusations too.
  const nameFaults = async () => faults.size > 0 && (await appendFaults(deps, electionId, [...faults.values()]));
  let result: Result<TallyOutcome>;
  try {
    result = await shareTally(deps, opts, facts, covered, pool, opener, nameFaults);
  } catch (err) {
    if (!(err instanceof NotEnoughTrusteesError)) throw err;
    await nameFaults();
    result = { ok: false, error: err.error };
  }
  return result.ok && faults.size > 0 ? { ok: true, value: { ...result.value, faultyTrustees: [...faults.values()].map((f) => f.trustee) } } : result;
}

async function appendFaults(deps: TallyRunDeps, electionId: string, faults: NamedFault[]): Promise<boolean> {
  for (;;) {
    const aggregate = await loadTally(deps.store, electionId);
    const r = await decideAndAppendTally(deps.store, electionId, aggregate, { type: 'NameFaultyTrustees', electionId, faults, now: deps.now().toISOString() });
    if (r.ok || r.error.code !== 'CONCURRENCY_CONFLICT') {
      deps.log?.warn('trustees named for failing partial decryptions', { electionId, trustees: faults.map((f) => f.trustee), appended: r.ok });
      return r.ok;
    }
  }
}

/** Start (once, whoever is first), plan the ranges, count them with the other runs, publish (once). */
async function shareTally(
  deps: TallyRunDeps,
  opts: TallyRunOptions,
  facts: ElectionFacts,
  covered: CoveredBallots,
  pool: TallyPool,
  opener: BallotOpener,
  /** Resolves true when it appended to the tally stream. */
  beforePublish: () => Promise<boolean> = () => Promise.resolve(false),
): Promise<Result<TallyOutcome>> {
  const { store } = deps;
  const { electionId } = facts;
  const ballots = covered.ballots.length;
  let aggregate: TallyAggregate;
  for (;;) {
    aggregate = await loadTally(store, electionId);
    if (aggregate.state.published) return { ok: true, value: outcomeOf(aggregate, covered) };
    const started = await decideAndAppendTally(store, electionId, aggregate, { type: 'StartTally', electionId, electionStatus: facts.status, ballots, now: deps.now().toISOString() });
    if (started.ok) {
      aggregate = started.value.aggregate;
      break;
    }
    if (started.error.code !== 'CONCURRENCY_CONFLICT') return started;
  }
  if (aggregate.state.ballots !== ballots) {
    throw new Error(`tally of ${electionId} started for ${aggregate.state.ballots} ballots, but ${ballots} are covered`);
  }
  const plan = await deps.claims.plan(electionId, { ballots, rangeSize: Math.max(1, Math.floor(opts.rangeSize ?? DEFAULT_RANGE_SIZE)) });
  if (plan.ballots !== ballots) throw new Error(`tally of ${electionId} was planned for ${plan.ballots} ballots, but ${ballots} are covered`);

  const chunk = Math.max(1, Math.min(opts.chunk ?? 256, plan.rangeSize));
  const onProgress = (done: number, position: number) => opts.onProgress?.({ done, total: ballots, position });
  onProgress(aggregate.state.counted.count, aggregate.position);
  const counted = await countInRanges(
    {
      store,
      electionId,
      choices: facts.choices,
      form: facts.ballotRules?.form ?? null,
      covered: covered.ballots,
      pool: opener,
      claims: deps.claims,
      owner: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      leaseMs: Math.max(100, opts.leaseMs ?? DEFAULT_LEASE_MS),
      pollMs: Math.max(1, opts.pollMs ?? 50),
      appendBatch: Math.max(1, opts.appendBatch ?? 500),
      chunk,
      // Enough ranges in hand to keep every worker fed while the first waits for its turn.
      hold: Math.max(2, Math.ceil((pool.size * 2 * chunk) / plan.rangeSize) + 1),
      log: deps.log,
      onProgress,
    },
    aggregate,
  );
  if (!counted.ok) return counted;
  // Reloaded only when something was appended meanwhile (a long stream costs a read).
  aggregate = (await beforePublish()) ? await loadTally(store, electionId) : counted.value;

  // Whoever sees every ballot counted publishes (rounds included); the expected revision lets exactly one append.
  const ballot = countingRules(facts);
  while (!aggregate.state.published) {
    const command: PublishTally = { type: 'PublishTally', electionId, choices: facts.choices, ...(ballot && { ballot }), now: deps.now().toISOString() };
    const published = await decideAndAppendTally(store, electionId, aggregate, command);
    if (published.ok) aggregate = published.value.aggregate;
    else if (published.error.code === 'CONCURRENCY_CONFLICT') aggregate = await loadTally(store, electionId);
    else return published;
  }
  if (!aggregate.state.published) return { ok: false, error: domainError('TALLY_INCOMPLETE', 'the tally could not be published') };
  return { ok: true, value: outcomeOf(aggregate, covered) };
}

/** The rules and the lot of an election counted by its method; undefined for default plurality. */
function countingRules(facts: ElectionFacts): PublishTally['ballot'] {
  if (!countedByMethod(facts.ballotRules)) return undefined;
  if (facts.lotSeed === undefined) throw new Error(`election ${facts.electionId} is tallied with no VotingEnded`);
  return { rules: facts.ballotRules, lotOrder: drawLot(nodePrimitives.sha256, facts.lotSeed, facts.choices.length) };
}
