/**
 * The election's command handlers: the clock's time, fresh ids, keys and protected e-mails, then
 * `handleCommand`. The clear address exists only in this request's memory.
 */
import type { EventStore } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import type { ElectionCommand, RegisterVoters } from '../domain/election-commands.ts';
import type { ElectionEvent, VoterRegistered } from '../domain/election-events.ts';
import { electionDecider, validateEmail, type ElectionState } from '../domain/election.ts';
import type { ProtectedEmail } from '../domain/election-commands.ts';
import type { KeyStore } from '../keystore/port.ts';
import { emailHmac, encryptEmail, getOrCreatePiiKey } from '../keystore/pii.ts';
import { DEFAULT_RSA_BITS, ensureElectionKeys, type RsaBits } from './election-keys.ts';
import { ensureWeightClassKeys } from './weight-class-keys.ts';
import { domainError, isDomainError, type DomainError, type Result } from '../domain/errors.ts';
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
import { parseWeight } from '../domain/weight-classes.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import type { MethodName } from '../domain/counting/types.ts';
import { checkTranscriptKeys } from './trustee-transcript.ts';
import { electionStreamId } from '../domain/streams.ts';

export interface ImportProgress {
  /** Rows appended so far. */
  done: number;
  total: number;
  /** Rows skipped because the e-mail was already registered. */
  skipped: number;
}

/** What a whole voter import did. */
export interface ImportResult {
  imported: number;
  skipped: number;
  position: number;
}

export interface ElectionCommandHandlers {
  /** With `trustees` (the ceremony's transcript) the ballot key is theirs and no counter key is generated. */
  createElection(input: { theme: string; choices: string[]; expectedVoters: number; electionId?: string; trustees?: TrusteeTranscript; witnesses?: string[]; form?: unknown; method?: MethodName; seats?: number; weights?: number[] }): Promise<Result<{ electionId: string; position: number }>>;
  configureElection(input: { electionId: string; theme?: string; choices?: string[]; expectedVoters?: number; closesAt?: string | null }): Promise<Result<{ position: number }>>;
  registerVoter(input: { electionId: string; email: string; weight?: number }): Promise<Result<{ voterId: string; position: number }>>;
  /** CSV with a header row containing an `email` column; appends in batches, calling onProgress after each. */
  importVoters(
    input: { electionId: string; csv: string; batchSize?: number },
    onProgress?: (p: ImportProgress) => void,
  ): Promise<Result<ImportResult>>;
  startVoting(input: { electionId: string }): Promise<Result<{ position: number }>>;
  endVoting(input: { electionId: string }): Promise<Result<{ position: number }>>;
}

export interface ElectionCommandDeps {
  now: () => Date;
  newId: () => string;
  keyStore: KeyStore;
  /** Default 2048. */
  rsaBits?: RsaBits;
  maxRetries?: number;
  /** Elections whose folded state is kept between commands (0 disables; ~10 MB per 100,000 voters). Default 16. */
  cacheSize?: number;
  closeVoting?: <T>(electionId: string, end: () => Promise<Result<T>>) => Promise<Result<T>>;
}

type RegisterVotersRow = RegisterVoters['voters'][number];

export const DEFAULT_IMPORT_BATCH_SIZE = 1_000;
const MAX_IMPORT_BATCH_SIZE = 10_000;

/** Stand-ins for a first decide(), so an invalid request costs no RSA key pairs and creates no PII key. */
const PLACEHOLDER_KEYS = { authorityPublicKey: 'A'.repeat(392), ballotPublicKey: 'B'.repeat(392), logPublicKey: 'C'.repeat(43) };
const PLACEHOLDER_EMAIL: ProtectedEmail = { emailHmac: '0'.repeat(64), emailEncrypted: 'A'.repeat(40) };

function protectEmail(piiKey: Uint8Array, electionId: string, email: unknown): ProtectedEmail | DomainError {
  const normalised = validateEmail(email);
  if (typeof normalised !== 'string') return normalised;
  return { emailHmac: emailHmac(piiKey, normalised), emailEncrypted: encryptEmail(piiKey, electionId, normalised) };
}

const PII_KEY_CACHE_SIZE = 256;

export function createElectionCommandHandlers(store: EventStore, deps: ElectionCommandDeps): ElectionCommandHandlers {
  const maxRetries = deps.maxRetries ?? DEFAULT_MAX_RETRIES;
  const cache = new AggregateCache<ElectionState>(deps.cacheSize ?? 16);
  const piiKeys = new Map<string, Uint8Array>();
  const now = () => deps.now().toISOString();

  const run = (command: ElectionCommand): Promise<Result<HandledCommand<ElectionEvent>>> =>
    handleCommand(store, electionDecider, electionStreamId(command.electionId), command, { maxRetries, cache });

  const precheck = async (command: ElectionCommand): Promise<DomainError | undefined> => {
    const { state } = await loadAggregate(store, electionDecider, electionStreamId(command.electionId), cache);
    const decided = electionDecider.decide(command, state);
    return isDomainError(decided) ? decided : undefined;
  };

  const positionOnly = (r: Result<HandledCommand<ElectionEvent>>): Result<{ position: number }> =>
    r.ok ? { ok: true, value: { position: r.value.position } } : r;

  return {
    async createElection(input) {
      const electionId = input.electionId ?? deps.newId();
      const { trustees } = input;
      const base = { type: 'CreateElection', electionId, theme: input.theme, choices: input.choices, expectedVoters: input.expectedVoters, ...(trustees && { trustees }), ...(input.witnesses && { witnesses: input.witnesses }), ...(input.form !== undefined && { form: input.form }), ...(input.method !== undefined && { method: input.method }), ...(input.seats !== undefined && { seats: input.seats }) } as const;
      const placeholders = trustees ? { ...PLACEHOLDER_KEYS, ballotPublicKey: trustees.ballotPublicKey } : PLACEHOLDER_KEYS;
      const { weights } = input;
      const placeholderClasses = weights === undefined ? undefined : Array.isArray(weights) ? weights.map((weight, i) => ({ weight, authorityPublicKey: 'W'.repeat(300 + i) })) : (weights as never);
      const refused = (await precheck({ ...base, publicKeys: placeholders, ...(placeholderClasses && { weightClasses: placeholderClasses }), now: now() })) ?? (trustees && checkTranscriptKeys(trustees));
      if (refused) return { ok: false, error: refused };
      const bits = deps.rsaBits ?? DEFAULT_RSA_BITS;
      const publicKeys = await ensureElectionKeys(deps.keyStore, electionId, bits, trustees?.ballotPublicKey);
      const weightClasses = weights === undefined ? undefined : await ensureWeightClassKeys(deps.keyStore, electionId, weights, bits);
      const r = await run({ ...base, publicKeys, ...(weightClasses && { weightClasses }), now: now() });
      return r.ok ? { ok: true, value: { electionId, position: r.value.position } } : r;
    },

    async configureElection(input) {
      const { electionId, theme, choices, expectedVoters, closesAt } = input;
      return positionOnly(await run({ type: 'ConfigureElection', electionId, theme, choices, expectedVoters, closesAt, now: now() }));
    },

    async registerVoter(input) {
      const voterId = deps.newId();
      const { electionId, weight } = input;
      const refused = await precheck({ type: 'RegisterVoter', electionId, voterId, ...PLACEHOLDER_EMAIL, weight, now: now() });
      if (refused) return { ok: false, error: refused };
      const email = protectEmail(await piiKeyFor(electionId), electionId, input.email);
      if (isDomainError(email)) return { ok: false, error: email };
      const r = await run({ type: 'RegisterVoter', electionId, voterId, ...email, weight, now: now() });
      return r.ok ? { ok: true, value: { voterId, position: r.value.position } } : r;
    },

    async startVoting(input) {
      return positionOnly(await run({ type: 'StartVoting', electionId: input.electionId, now: now() }));
    },

    async endVoting(input) {
      const end = () => run({ type: 'EndVoting', electionId: input.electionId, reason: 'ADMIN', now: now() });
      return positionOnly(await (deps.closeVoting ? deps.closeVoting(input.electionId, end) : end()));
    },

    importVoters(input, onProgress) {
      return importVoters(input, onProgress);
    },
  };

  /**
   * A PII key never changes once created, so it is kept in memory (bounded); it is only shredded after
   * voting ended, when no registration is accepted.
   */
  async function piiKeyFor(electionId: string): Promise<Uint8Array> {
    const cached = piiKeys.get(electionId);
    if (cached) return cached;
    const key = await getOrCreatePiiKey(deps.keyStore, electionId);
    if (piiKeys.size >= PII_KEY_CACHE_SIZE) piiKeys.delete(piiKeys.keys().next().value as string);
    piiKeys.set(electionId, key);
    return key;
  }

  async function importVoters(
    input: { electionId: string; csv: string; batchSize?: number },
    onProgress?: (p: ImportProgress) => void,
  ): Promise<Result<{ imported: number; skipped: number; position: number }>> {
    const parsed = parseVoterCsv(input.csv);
    if (!parsed.ok) return parsed;
    const batchSize = Math.min(MAX_IMPORT_BATCH_SIZE, Math.max(1, Math.floor(input.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE)));
    const streamId = electionStreamId(input.electionId);
    const refused = await precheck({ type: 'RegisterVoters', electionId: input.electionId, voters: [], skipAlreadyRegistered: true, now: now() });
    if (refused) return { ok: false, error: refused };
    // Protected and given ids once per row, so a row re-decided after a conflict keeps its voter id.
    const piiKey = await piiKeyFor(input.electionId);
    const rows: RegisterVotersRow[] = [];
    for (const r of parsed.rows) {
      const email = protectEmail(piiKey, input.electionId, r.email);
      if (isDomainError(email)) return { ok: false, error: domainError(email.code, `line ${r.line}: ${email.message}`, { line: r.line }) };
      const weight = r.weight === undefined || r.weight.trim() === '' ? undefined : parseWeight(r.weight);
      if (r.weight !== undefined && r.weight.trim() !== '' && weight === undefined) {
        return { ok: false, error: domainError('INVALID_WEIGHT', `line ${r.line}: a weight is a positive integer`, { line: r.line }) };
      }
      rows.push({ voterId: deps.newId(), ...email, ...(weight !== undefined && { weight }), line: r.line });
    }
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
