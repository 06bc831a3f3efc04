/**
 * The admin's client: a typed facade over every admin command and query (docs/asyncapi.yaml); long
 * commands take `onProgress`, or run through `progressOf`.
 */
import type { ElectionRow, VoterRow } from '../projections/read-models.ts';
import type { IssuanceSummary } from '../commands/credential-issuance.ts';
import type { TallyOutcome } from '../tally/tally-run.ts';
import type { TallyResults } from '../projections/tally-queries.ts';
import { EvoteConnection, type ConnectOptions, type Push } from './connection.ts';
import { importInChunks } from './voter-import.ts';
import type { ImportProgress, ImportResult } from '../commands/election-command-handlers.ts';
import type { MethodName } from '../domain/counting/types.ts';
import type { BallotFormInput } from '../domain/ballot-form.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';

export type { ElectionRow, VoterRow } from '../projections/read-models.ts';
export type { IssuanceProgress, IssuanceSummary } from '../commands/credential-issuance.ts';

export interface Progress {
  done: number;
  total: number;
  /** Credential issuance only: deliveries that failed so far. */
  failed?: number;
}

/** What `tally.run` answers: the server's own outcome type (src/tally/tally-run.ts). */
export type TallyResult = TallyOutcome;
/** What `tally.results` answers: the server's own read-model type (src/projections/tally-queries.ts). */
export type Results = TallyResults;

export interface ProjectionStatus {
  name: string;
  position: number;
  head: number;
  lag: number;
}

type OnProgress = (p: Progress) => void;

export class EvoteAdmin {
  constructor(
    /** The underlying connection (shared: close it with `close()`). */
    readonly conn: EvoteConnection,
    private readonly token: string,
    /** Timeout of long commands (import, issuance, tally, rebuild). */
    private readonly longTimeoutMs = 3_600_000,
  ) {}

  /** Connects with reconnection and retry on (queries and subscriptions survive a drop; commands are never re-sent after one). */
  static async connect(url: string, token: string, opts: ConnectOptions = {}): Promise<EvoteAdmin> {
    return new EvoteAdmin(await EvoteConnection.connect(url, { reconnect: true, retry: true, ...opts }), token);
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private command<T>(name: string, payload: unknown, onProgress?: OnProgress): Promise<T> {
    return this.conn.request<T>('command', name, payload, {
      token: this.token,
      ...(onProgress ? { onProgress: (p) => onProgress(p as Progress), timeoutMs: this.longTimeoutMs } : {}),
    });
  }

  private query<T>(name: string, payload: unknown, admin = false): Promise<T> {
    return this.conn.request<T>('query', name, payload, admin ? { token: this.token } : {});
  }

  /**
   * `trustees`: the transcript JSON of `evote ceremony` (a trustee election; no counter key on the server).
   * `form`, `method`, `seats`: the ballot form and counting method (docs/methods.md); absent, single choice and plurality.
   * `weights`: one authority key per weight class (docs/methods.md "Weighted voters"); the import's `weight` column names each voter's.
   */
  createElection(input: { theme: string; choices: string[]; expectedVoters: number; electionId?: string; trustees?: TrusteeTranscript; witnesses?: string[]; form?: BallotFormInput; method?: MethodName; seats?: number; weights?: number[] }): Promise<{ electionId: string; position: number }> {
    return this.command('election.create', input);
  }
  configureElection(input: { electionId: string; theme?: string; choices?: string[]; expectedVoters?: number; closesAt?: string | null }): Promise<{ position: number }> {
    return this.command('election.configure', input);
  }
  registerVoter(input: { electionId: string; email: string; weight?: number }): Promise<{ voterId: string; position: number }> {
    return this.command('election.registerVoter', input);
  }
  /** CSV text with an `email` column, checked whole here and sent in chunks; refusals name the file's line. */
  importVoters(input: { electionId: string; csv: string; batchSize?: number }, onProgress?: OnProgress): Promise<ImportResult> {
    const { electionId, batchSize } = input;
    return importInChunks(
      input.csv,
      (csv, chunkProgress) =>
        this.command<ImportResult>('election.importVoters', { electionId, csv, ...(batchSize ? { batchSize } : {}) }, (p) => chunkProgress(p as ImportProgress)),
      onProgress,
    );
  }
  startVoting(electionId: string): Promise<{ position: number }> {
    return this.command('election.start', { electionId });
  }
  endVoting(electionId: string): Promise<{ position: number }> {
    return this.command('election.end', { electionId });
  }
  getElection(electionId: string): Promise<ElectionRow> {
    return this.query('election.get', { electionId });
  }
  async listElections(): Promise<ElectionRow[]> {
    return (await this.query<{ elections: ElectionRow[] }>('election.list', {})).elections;
  }
  /** The row now, then `onTransition` for each later state change (survives reconnections). */
  watchElection(electionId: string, onTransition: (payload: unknown) => void): Promise<{ subscription: string; snapshot: ElectionRow }> {
    return this.conn.subscribe<ElectionRow>('election', { electionId }, (p: Push) => onTransition(p.payload));
  }

  listVoters(input: { electionId: string; offset?: number; limit?: number }): Promise<{ voters: VoterRow[]; offset: number; limit: number }> {
    return this.query('voters.list', input, true);
  }
  async countVoters(electionId: string): Promise<number> {
    return (await this.query<{ count: number }>('voters.count', { electionId })).count;
  }

  /** Issues letters to every voter not yet served, by e-mail or as files under the server's `letters/<outDir>`. */
  issueCredentials(input: { electionId: string; channel: 'email' | 'letter'; outDir?: string }, onProgress?: OnProgress): Promise<IssuanceSummary> {
    return this.command('credentials.issue', input, onProgress ?? (() => undefined));
  }
  countCredentials(electionId: string): Promise<{ minted: number; used: number }> {
    return this.query('credentials.count', { electionId });
  }
  /** Registers a voting application; `clientKey` is shown once: hand it to the application's operator. */
  registerClient(name: string): Promise<{ clientId: string; clientKey: string; position: number }> {
    return this.command('clients.register', { name });
  }
  revokeClient(clientId: string): Promise<{ position: number }> {
    return this.command('clients.revoke', { clientId });
  }

  /** Decrypts and counts every ballot (VOTE_ENDED only); resumable, never counts a ballot twice. */
  runTally(input: { electionId: string; workers?: number }, onProgress?: OnProgress): Promise<TallyResult> {
    return this.command('tally.run', input, onProgress ?? (() => undefined));
  }
  results(electionId: string): Promise<Results> {
    return this.query('tally.results', { electionId });
  }

  async projectionStatus(): Promise<ProjectionStatus[]> {
    return (await this.query<{ projections: ProjectionStatus[] }>('projections.status', {}, true)).projections;
  }
  rebuildProjection(name: string): Promise<{ rebuiltTo: number }> {
    return this.command('projections.rebuild', { name }, () => undefined);
  }
}

/** Runs a long command and yields its progress messages as they arrive, then the result. */
export async function* progressOf<T>(run: (onProgress: OnProgress) => Promise<T>): AsyncGenerator<({ kind: 'progress' } & Progress) | { kind: 'result'; result: T }> {
  const queue: Progress[] = [];
  let wake: (() => void) | undefined;
  let settled: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  run((p) => {
    queue.push(p);
    wake?.();
  }).then(
    (value) => {
      settled = { ok: true, value };
      wake?.();
    },
    (error: unknown) => {
      settled = { ok: false, error };
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) yield { kind: 'progress', ...queue.shift()! };
    if (settled) {
      if (!settled.ok) throw settled.error;
      yield { kind: 'result', result: settled.value };
      return;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}
