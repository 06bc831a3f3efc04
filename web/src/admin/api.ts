import { Connection, EvoteError as WireError } from '../shared/connection.ts';
import { EvoteError } from '../../../src/client/errors.ts';
import { importInChunks, planVoterImport } from '../../../src/client/voter-import.ts';
import type { ElectionRow, VoterRow } from '../../../src/projections/read-models.ts';
import type { ImportProgress, ImportResult } from '../../../src/commands/election-command-handlers.ts';
import type { TallyOutcome } from '../../../src/tally/tally-run.ts';
import type { TallyResults } from '../../../src/projections/tally-queries.ts';
import type { RulesPayload } from './ballot-rules.ts';

export type { ElectionRow, VoterRow, ImportProgress, ImportResult, TallyOutcome, TallyResults };

/** credentials.issue's progress and result, as its message schema states them (src/gateway/messages/credentials.ts). */
export interface IssuanceProgress {
  done: number;
  total: number;
  failed: number;
}
export interface IssuanceSummary {
  total: number;
  issued: number;
  failed: number;
  alreadyIssued: number;
  minted: number;
  position: number;
}
/** With, for postal letters, the run's one PDF: its admin-only path and its pages. */
export interface IssuanceResult extends IssuanceSummary {
  download?: string;
  pages?: number;
}
export { EvoteError, planVoterImport };

/** Long commands (import chunk, issuance, tally) may run for many minutes. */
const LONG_MS = 3_600_000;
/** voters.list answers at most this many rows a page (src/projections/queries.ts MAX_VOTERS_PAGE). */
export const MAX_VOTERS_PAGE = 1_000;

export type Channel = 'email' | 'letter';

/** The letters PDF of a postal run (`download`, an admin-only path under /admin/letters/), if any. */
export function lettersPdfPath(result: unknown): string | undefined {
  const download = result && typeof result === 'object' ? (result as { download?: unknown }).download : undefined;
  return typeof download === 'string' && /^\/admin\/letters\/[^?#]+\.pdf$/.test(download) ? download : undefined;
}

/** One error class for the page: the shared connection's refusals become the client library's EvoteError. */
function lift(err: unknown): unknown {
  return err instanceof WireError ? new EvoteError(err.code, err.message, err.details) : err;
}

/**
 * The operator's session: one WebSocket to this page's gateway and the admin token, held in this
 * object only (never stored, never in the URL); every admin message carries it in the envelope.
 */
export class AdminSession {
  private constructor(
    readonly conn: Connection,
    private readonly token: string,
  ) {}

  /** Opens the connection and proves the token with an admin-only query (UNAUTHORIZED when wrong). */
  static async open(token: string, url?: string): Promise<AdminSession> {
    let conn: Connection;
    try {
      conn = await Connection.open(url);
    } catch (err) {
      throw lift(err);
    }
    const session = new AdminSession(conn, token);
    try {
      await session.admin('query', 'projections.status', {});
    } catch (err) {
      conn.close();
      throw err;
    }
    return session;
  }

  close(): void {
    this.conn.close();
  }

  private async admin<T>(kind: 'command' | 'query', name: string, payload: unknown, onProgress?: (p: unknown) => void): Promise<T> {
    try {
      return await this.conn.request<T>(kind, name, payload, { token: this.token, ...(onProgress ? { onProgress, timeoutMs: LONG_MS } : {}) });
    } catch (err) {
      throw lift(err);
    }
  }

  private async open<T>(name: string, payload: unknown): Promise<T> {
    try {
      return await this.conn.query<T>(name, payload);
    } catch (err) {
      throw lift(err);
    }
  }

  async listElections(): Promise<ElectionRow[]> {
    return (await this.open<{ elections: ElectionRow[] }>('election.list', {})).elections;
  }
  getElection(electionId: string): Promise<ElectionRow> {
    return this.open('election.get', { electionId });
  }
  createElection(input: { theme: string; choices: string[]; expectedVoters: number } & RulesPayload): Promise<{ electionId: string; position: number }> {
    return this.admin('command', 'election.create', input);
  }
  configureElection(input: { electionId: string; theme?: string; choices?: string[]; expectedVoters?: number; closesAt?: string | null }): Promise<{ position: number }> {
    return this.admin('command', 'election.configure', input);
  }
  /** The file is checked whole here with the server's rules, then sent in chunks; refusals name the file's line. */
  importVoters(electionId: string, csv: string, onProgress: (p: ImportProgress) => void): Promise<ImportResult> {
    return importInChunks(
      csv,
      (chunk, chunkProgress) => this.admin<ImportResult>('command', 'election.importVoters', { electionId, csv: chunk }, (p) => chunkProgress(p as ImportProgress)),
      onProgress,
    );
  }
  startVoting(electionId: string): Promise<{ position: number }> {
    return this.admin('command', 'election.start', { electionId });
  }
  endVoting(electionId: string): Promise<{ position: number }> {
    return this.admin('command', 'election.end', { electionId });
  }
  listVoters(electionId: string, offset: number, limit: number): Promise<{ voters: VoterRow[]; offset: number; limit: number }> {
    return this.admin('query', 'voters.list', { electionId, offset, limit });
  }
  issueCredentials(electionId: string, channel: Channel, onProgress: (p: IssuanceProgress) => void): Promise<IssuanceResult> {
    return this.admin('command', 'credentials.issue', { electionId, channel }, (p) => onProgress(p as IssuanceProgress));
  }
  /** One voter's letter again (a fresh credential; refused with ALREADY_SIGNED once they obtained a signature). */
  resendCredential(electionId: string, voterId: string, channel: Channel): Promise<IssuanceResult> {
    // No progress messages, but a long timeout: a postal letter is rendered into a PDF first.
    return this.admin('command', 'credentials.resend', { electionId, voterId, channel }, () => undefined);
  }
  registerClient(name: string): Promise<{ clientId: string; clientKey: string; position: number }> {
    return this.admin('command', 'clients.register', { name });
  }
  revokeClient(clientId: string): Promise<{ position: number }> {
    return this.admin('command', 'clients.revoke', { clientId });
  }
  setBoothApp(clientId: string): Promise<unknown> {
    return this.admin('command', 'booth.setApp', { clientId });
  }
  /** The web booth's application (public: the booth page needs its key); null when none is chosen. */
  async boothApp(): Promise<{ clientId: string } | null> {
    try {
      const app = await this.open<{ clientId?: string | null } | null>('booth.app', {});
      return app && typeof app.clientId === 'string' ? { clientId: app.clientId } : null;
    } catch (err) {
      if (err instanceof EvoteError && err.code === 'BOOTH_APP_NOT_SET') return null;
      throw err;
    }
  }
  /** Calls `onChange` at each transition of the election (start, end, configure…); returns the unsubscribe. */
  async watchElection(electionId: string, onChange: () => void): Promise<() => void> {
    let subscription: string;
    try {
      ({ subscription } = await this.conn.subscribe('election', { electionId }, () => onChange()));
    } catch (err) {
      throw lift(err);
    }
    return () => {
      if (!this.conn.closed) this.conn.request('unsubscribe', 'election', { subscription }).catch(() => undefined);
    };
  }
  runTally(electionId: string, onProgress: (p: { done: number; total: number }) => void): Promise<TallyOutcome> {
    return this.admin('command', 'tally.run', { electionId }, (p) => onProgress(p as { done: number; total: number }));
  }
  results(electionId: string): Promise<TallyResults> {
    return this.open('tally.results', { electionId });
  }

  /** The letters PDF, fetched with the token in the Authorization header (never in the URL). */
  async fetchLetters(path: string): Promise<Blob> {
    let res: Response;
    try {
      res = await fetch(path, { headers: { authorization: `Bearer ${this.token}` }, cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new EvoteError('UNREACHABLE', 'cannot reach the server');
    }
    if (res.status === 401 || res.status === 403) throw new EvoteError('UNAUTHORIZED', 'the server refused the admin token');
    if (!res.ok) throw new EvoteError('DOWNLOAD_FAILED', `the letters file could not be fetched (HTTP ${res.status})`, { status: res.status });
    return res.blob();
  }
}
