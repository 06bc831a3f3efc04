/**
 * The election's command handlers: turn a request into a command with the clock's time and fresh
 * ids, then read-fold-decide-append through `handleCommand`. The voter import decides the whole
 * file once (all-or-nothing validation) and appends it in batches with chained expected revisions.
 */
import type { EventStore } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import type { ElectionCommandHandlers, ImportProgress, Result } from '../app/services.ts';
import type { ElectionCommand } from '../domain/election-commands.ts';
import { electionStreamId, type ElectionEvent, type VoterRegistered } from '../domain/election-events.ts';
import { electionDecider, type ElectionState } from '../domain/election.ts';
import { domainError, isDomainError, type DomainError } from '../domain/errors.ts';
import {
  AggregateCache,
  backoff,
  concurrencyConflict,
  DEFAULT_MAX_RETRIES,
  expectedRevisionOf,
  handleCommand,
  loadAggregate,
  toEventData,
  type HandledCommand,
} from './command-handler.ts';
import { parseVoterCsv } from './csv.ts';

export interface ElectionCommandDeps {
  now: () => Date;
  newId: () => string;
  maxRetries?: number;
  /**
   * Elections whose folded state is kept between commands (0 disables). About 10 MB per
   * 100,000 voters; default 16.
   */
  cacheSize?: number;
}

export const DEFAULT_IMPORT_BATCH_SIZE = 1_000;
const MAX_IMPORT_BATCH_SIZE = 10_000;

export function createElectionCommandHandlers(store: EventStore, deps: ElectionCommandDeps): ElectionCommandHandlers {
  const maxRetries = deps.maxRetries ?? DEFAULT_MAX_RETRIES;
  const cache = new AggregateCache<ElectionState>(deps.cacheSize ?? 16);
  const now = () => deps.now().toISOString();

  const run = (command: ElectionCommand): Promise<Result<HandledCommand<ElectionEvent>>> =>
    handleCommand(store, electionDecider, electionStreamId(command.electionId), command, { maxRetries, cache });

  const positionOnly = (r: Result<HandledCommand<ElectionEvent>>): Result<{ position: number }> =>
    r.ok ? { ok: true, value: { position: r.value.position } } : r;

  return {
    async createElection(input) {
      const electionId = input.electionId ?? deps.newId();
      const r = await run({ type: 'CreateElection', electionId, theme: input.theme, choices: input.choices, expectedVoters: input.expectedVoters, now: now() });
      return r.ok ? { ok: true, value: { electionId, position: r.value.position } } : r;
    },

    async configureElection(input) {
      const { electionId, theme, choices, expectedVoters, closesAt } = input;
      return positionOnly(await run({ type: 'ConfigureElection', electionId, theme, choices, expectedVoters, closesAt, now: now() }));
    },

    async registerVoter(input) {
      const voterId = deps.newId();
      const r = await run({ type: 'RegisterVoter', electionId: input.electionId, voterId, email: input.email, now: now() });
      return r.ok ? { ok: true, value: { voterId, position: r.value.position } } : r;
    },

    async startVoting(input) {
      return positionOnly(await run({ type: 'StartVoting', electionId: input.electionId, now: now() }));
    },

    async endVoting(input) {
      return positionOnly(await run({ type: 'EndVoting', electionId: input.electionId, reason: 'ADMIN', now: now() }));
    },

    importVoters(input, onProgress) {
      return importVoters(input, onProgress);
    },
  };

  async function importVoters(
    input: { electionId: string; csv: string; batchSize?: number },
    onProgress?: (p: ImportProgress) => void,
  ): Promise<Result<{ imported: number; skipped: number; position: number }>> {
    const parsed = parseVoterCsv(input.csv);
    if (!parsed.ok) return parsed;
    const batchSize = Math.min(MAX_IMPORT_BATCH_SIZE, Math.max(1, Math.floor(input.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE)));
    const streamId = electionStreamId(input.electionId);
    // Ids are fixed once per row, so a row re-decided after a conflict keeps its voter id.
    const rows = parsed.rows.map((r) => ({ voterId: deps.newId(), email: r.email, line: r.line }));
    const rowIndex = new Map(rows.map((r, i) => [r.voterId, i]));
    const total = rows.length;

    let done = 0; // rows appended by this import
    let next = 0; // rows before this index are appended or skipped
    let conflicts = 0; // consecutive, without progress in between
    let reported: ImportProgress | undefined;
    const report = (p: ImportProgress) => {
      reported = p;
      // Progress is advisory: a failing observer (a closed socket) must not abort the import.
      try {
        onProgress?.(p);
      } catch {
        /* ignored */
      }
    };
    const failed = (error: DomainError): Result<never> => ({
      ok: false,
      error: done > 0 ? domainError(error.code, error.message, { ...error.details, imported: done }) : error,
    });

    for (;;) {
      const aggregate = await loadAggregate(store, electionDecider, streamId, cache);
      const decided = electionDecider.decide(
        { type: 'RegisterVoters', electionId: input.electionId, voters: rows.slice(next), skipAlreadyRegistered: true, now: now() },
        aggregate.state,
      );
      if (isDomainError(decided)) return failed(decided);
      let { state, revision, position } = aggregate;

      let appended = 0;
      let conflicted = false;
      while (appended < decided.length) {
        const batch = decided.slice(appended, appended + batchSize);
        try {
          const result = await store.append(streamId, batch.map(toEventData), { expectedRevision: expectedRevisionOf(revision) });
          revision = result.nextExpectedRevision;
          position = result.position;
        } catch (err) {
          if (!isWrongExpectedRevision(err)) throw err;
          // Another writer got in between: re-read from the cache's revision and re-decide the rest.
          if (++conflicts > maxRetries) return failed(concurrencyConflict(streamId, conflicts));
          await backoff(conflicts - 1);
          conflicted = true;
          break;
        }
        conflicts = 0;
        state = batch.reduce(electionDecider.evolve, state);
        cache.set(streamId, { state, revision, position });
        appended += batch.length;
        done += batch.length;
        const last = batch[batch.length - 1] as VoterRegistered;
        next = (rowIndex.get(last.data.voterId) as number) + 1;
        report({ done, total, skipped: next - done });
      }
      if (conflicted) continue;

      const skipped = total - done;
      if (!reported || reported.skipped !== skipped) report({ done, total, skipped });
      return { ok: true, value: { imported: done, skipped, position } };
    }
  }
}
