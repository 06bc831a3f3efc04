/**
 * One tally run, resumable and never counting twice: counted ballots are skipped, and a concurrent
 * run makes one append conflict so the loser re-reads (docs/tally.md "Running it").
 */
import type { EventStore } from '../eventstore/port.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { Result } from '../domain/errors.ts';
import { domainError } from '../domain/errors.ts';
import type { TallyPublished, VoteCounted, VoteStatus } from '../domain/tally-events.ts';
import { countedEntries, isCounted, tallyDecider, initialTallyState } from '../domain/tally.ts';
import { decideAndAppendTally, loadTally, type TallyAggregate } from '../commands/tally-command.ts';
import { classifyBallot, type OpenedBallot } from './classify.ts';
import { loadTallyKeys } from './counter-key.ts';
import { readCoveredBallots, type CoveredBallot, type CoveredBallots } from './covered-ballots.ts';
import { readElectionFacts, type ElectionFacts } from './election-facts.ts';
import { createTallyPool, type TallyPool } from './pool.ts';

export interface TallyRunDeps {
  store: EventStore;
  keyStore: KeyStore;
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
  /** Re-reads after losing a race to another run before giving up (default 20). */
  maxRestarts?: number;
  onProgress?: (p: TallyProgress) => void;
}

export interface TallyOutcome {
  electionId: string;
  counts: Record<string, number>;
  statuses: Record<VoteStatus, number>;
  ballots: number;
  publishedAt: string;
  position: number;
  /** Ballots left out, when this run computed them (not for an already published tally). */
  excluded?: { afterEnd: number; repeats: number };
}

const noop = () => {};

function outcomeOf(published: TallyPublished['data'], position: number, covered?: CoveredBallots): TallyOutcome {
  const { electionId, counts, statuses, ballots, publishedAt } = published;
  const outcome: TallyOutcome = { electionId, counts, statuses, ballots, publishedAt, position };
  if (covered) outcome.excluded = { afterEnd: covered.excludedAfterEnd, repeats: covered.excludedRepeats };
  return outcome;
}

export async function runTally(deps: TallyRunDeps, opts: TallyRunOptions): Promise<Result<TallyOutcome>> {
  const { store, electionId } = { store: deps.store, electionId: opts.electionId };
  const facts = await readElectionFacts(store, electionId);
  const first = await loadTally(store, electionId);
  if (first.state.published) return { ok: true, value: outcomeOf(first.state.published, first.position) };
  // The decider owns the lifecycle rule (only after VOTE_ENDED); ask it before doing any work.
  const gate = tallyDecider.decide(
    { type: 'StartTally', electionId, electionStatus: facts?.status ?? 'NONE', ballots: 0, now: deps.now().toISOString() },
    initialTallyState,
  );
  if (!Array.isArray(gate)) return { ok: false, error: gate };
  const ended = facts as ElectionFacts & { endedPosition: number };

  const keys = await loadTallyKeys(deps.keyStore, ended);
  if (!keys.ok) return keys;
  // Workers take a while to load: start them while the log is read.
  const starting = createTallyPool({ electionId, size: opts.workers, ...keys.value });
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
    const maxRestarts = opts.maxRestarts ?? 20;
    for (let attempt = 0; ; attempt++) {
      const result = await attemptTally(deps, opts, ended, covered, pool);
      if (result.ok || result.error.code !== 'CONCURRENCY_CONFLICT' || attempt >= maxRestarts) {
        if (result.ok) {
          deps.log?.info('tally published', { electionId, ballots: result.value.ballots, excluded: result.value.excluded, workers: pool.size });
        }
        return result;
      }
      deps.log?.info('tally stream moved under this run (another run?); re-reading', { electionId, attempt });
    }
  } finally {
    await pool.close();
  }
}

/** One pass from a fresh read of the tally stream; CONCURRENCY_CONFLICT means "re-read and go again". */
async function attemptTally(
  deps: TallyRunDeps,
  opts: TallyRunOptions,
  facts: ElectionFacts,
  covered: CoveredBallots,
  pool: TallyPool,
): Promise<Result<TallyOutcome>> {
  const { store } = deps;
  const { electionId } = facts;
  let aggregate: TallyAggregate = await loadTally(store, electionId);
  if (aggregate.state.published) return { ok: true, value: outcomeOf(aggregate.state.published, aggregate.position, covered) };

  const started = await decideAndAppendTally(store, electionId, aggregate, {
    type: 'StartTally',
    electionId,
    electionStatus: facts.status,
    ballots: covered.ballots.length,
    now: deps.now().toISOString(),
  });
  if (!started.ok) return started;
  aggregate = started.value.aggregate;
  if (aggregate.state.ballots !== covered.ballots.length) {
    throw new Error(`tally of ${electionId} started for ${aggregate.state.ballots} ballots, but ${covered.ballots.length} are covered`);
  }

  const seen = new Set<string>();
  for (const entry of countedEntries(aggregate.state.counted)) {
    if ((entry.status === 'VALID' || entry.status === 'DUPLICATE_N2') && entry.n2Commitment !== null) seen.add(entry.n2Commitment);
  }
  const pending = covered.ballots.filter((b) => !isCounted(aggregate.state.counted, b.ballotHash));
  const total = covered.ballots.length;
  opts.onProgress?.({ done: aggregate.state.counted.count, total, position: aggregate.position });

  const chunkSize = Math.max(1, opts.chunk ?? 256);
  const appendBatch = Math.max(1, opts.appendBatch ?? 500);
  const chunks: CoveredBallot[][] = [];
  for (let i = 0; i < pending.length; i += chunkSize) chunks.push(pending.slice(i, i + chunkSize));

    // Keep every worker busy while this thread classifies and appends: submit ahead, consume in order.
  const window = pool.size * 2 + 2;
  const opening: Promise<OpenedBallot[]>[] = [];
  let submitted = 0;
  const submitAhead = () => {
    while (submitted < chunks.length && opening.length < window) {
      const p = pool.open((chunks[submitted++] as CoveredBallot[]).map((b) => b.ciphertext));
      p.catch(noop); // awaited below in order; this only stops an early return from leaving it unhandled
      opening.push(p);
    }
  };

  const ctx = { seen, choices: new Set(facts.choices) };
  let buffer: VoteCounted['data'][] = [];
  const flush = async (votes: VoteCounted['data'][]): Promise<Result<void>> => {
    const appended = await decideAndAppendTally(store, electionId, aggregate, { type: 'CountVotes', electionId, votes });
    if (!appended.ok) return appended;
    aggregate = appended.value.aggregate;
    opts.onProgress?.({ done: aggregate.state.counted.count, total, position: aggregate.position });
    return { ok: true, value: undefined };
  };

  for (const chunk of chunks) {
    submitAhead();
    const opened = await (opening.shift() as Promise<OpenedBallot[]>);
    for (const [i, ballot] of chunk.entries()) {
      const c = classifyBallot(opened[i] as OpenedBallot, ctx);
      if (c.marksSeen && c.n2Commitment !== null) seen.add(c.n2Commitment);
      buffer.push({ electionId, ballotHash: ballot.ballotHash, revealedR: c.revealedR, n2Commitment: c.n2Commitment, choice: c.choice, status: c.status });
    }
    while (buffer.length >= appendBatch) {
      const flushed = await flush(buffer.slice(0, appendBatch));
      if (!flushed.ok) return flushed;
      buffer = buffer.slice(appendBatch);
    }
  }
  if (buffer.length > 0) {
    const flushed = await flush(buffer);
    if (!flushed.ok) return flushed;
  }

  const published = await decideAndAppendTally(store, electionId, aggregate, {
    type: 'PublishTally',
    electionId,
    choices: facts.choices,
    now: deps.now().toISOString(),
  });
  if (!published.ok) return published;
  aggregate = published.value.aggregate;
  const data = aggregate.state.published;
  if (!data) return { ok: false, error: domainError('TALLY_INCOMPLETE', 'the tally could not be published') };
  return { ok: true, value: outcomeOf(data, aggregate.position, covered) };
}
