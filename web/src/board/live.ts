/**
 * The board's live state: one WebSocket to the gateway holding two subscriptions (`election` for
 * state transitions and tally progress, `board.watch` for log growth); pushes are applied at once
 * and what they invalidate (counts, results, the visible pages) is re-read after a short debounce.
 * A dropped socket is reopened with capped exponential backoff and both subscriptions renewed.
 */
import { Connection, EvoteError, type Push } from '../shared/connection.ts';
import type { ElectionRow, ElectionTransition } from '../../../src/projections/read-models.ts';
import type { BoardSummary } from '../../../src/projections/board-queries.ts';
import type { TallyResults } from '../../../src/projections/tally-queries.ts';

export type LinkState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'reconnecting'; inSeconds: number };

/** The election's phase as the board names it: the status, refined by the tally's progress. */
export type Phase = 'REGISTER' | 'VOTE_STARTED' | 'VOTE_ENDED' | 'TALLYING' | 'TALLIED';

export interface BoardState {
  link: LinkState;
  notFound: boolean;
  error?: string;
  election?: ElectionRow;
  summary?: BoardSummary;
  results?: TallyResults;
  /** Ballots counted so far, from tallyProgress pushes (between two reads of results). */
  progress?: { done: number; total: number };
  /** Bumped each time the log grew, so views of pages re-read theirs. */
  logVersion: number;
}

export function phaseOf(s: Pick<BoardState, 'election' | 'results' | 'progress'>): Phase | undefined {
  const status = s.election?.status;
  if (!status) return undefined;
  if (status !== 'VOTE_ENDED') return status;
  if (s.results?.published) return 'TALLIED';
  if ((s.results?.counted ?? 0) > 0 || (s.progress?.done ?? 0) > 0) return 'TALLYING';
  return 'VOTE_ENDED';
}

const DEBOUNCE_MS = 250;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class BoardLive {
  state: BoardState = { link: { kind: 'connecting' }, notFound: false, logVersion: 0 };
  private conn?: Connection;
  private listeners = new Set<(s: BoardState) => void>();
  private attempt = 0;
  private stopped = false;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private lastPosition = 0;

  constructor(
    readonly electionId: string,
    private readonly url?: string,
  ) {}

  onChange(l: (s: BoardState) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.retryTimer);
    this.conn?.close();
  }

  /** A query on the live connection; throws CONNECTION_CLOSED while reconnecting (views retry on the next change). */
  query<T>(name: string, payload: Record<string, unknown>): Promise<T> {
    if (!this.conn) return Promise.reject(new EvoteError('CONNECTION_CLOSED', 'not connected'));
    return this.conn.query<T>(name, payload);
  }

  private set(patch: Partial<BoardState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let conn: Connection;
    try {
      conn = await Connection.open(this.url);
    } catch {
      this.retry();
      return;
    }
    if (this.stopped) {
      conn.close();
      return;
    }
    this.conn = conn;
    conn.onClosed = () => {
      if (this.conn === conn) this.conn = undefined;
      this.retry();
    };
    const electionId = this.electionId;
    try {
      const [election, summary] = await Promise.all([
        conn.subscribe<ElectionRow>('election', { electionId }, (p) => this.onTransition(p)).then((r) => r.snapshot),
        conn.subscribe<BoardSummary>('board.watch', { electionId }, (p) => this.onLog(p)).then((r) => r.snapshot),
      ]);
      this.lastPosition = election.position;
      const results = await conn.query<TallyResults>('tally.results', { electionId });
      this.attempt = 0;
      this.set({ link: { kind: 'live' }, election, summary, results, error: undefined, logVersion: this.state.logVersion + 1 });
    } catch (err) {
      const code = (err as EvoteError).code;
      if (code === 'ELECTION_NOT_FOUND') {
        this.stopped = true;
        conn.close();
        this.set({ notFound: true, link: { kind: 'live' } });
      } else if (code !== 'CONNECTION_CLOSED') {
        this.set({ error: (err as Error).message });
        conn.close();
      }
    }
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt++;
    // Jitter so that many open boards do not all come back in the same instant after a restart.
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.set({ link: { kind: 'reconnecting', inSeconds: Math.max(1, Math.round(delay / 1000)) } });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.set({ link: { kind: 'connecting' } });
      void this.connect();
    }, delay);
  }

  private onTransition(p: Push): void {
    const t = p.payload as ElectionTransition;
    if (p.name !== 'election.transition' || t.electionId !== this.electionId || t.position <= this.lastPosition) return;
    this.lastPosition = t.position;
    const election = this.state.election;
    switch (t.transition) {
      case 'created':
      case 'configured':
      case 'started':
      case 'ended':
        this.set({ election: t.election });
        break;
      case 'voterCount':
        if (election) this.set({ election: { ...election, status: t.status, voterCount: t.voterCount, position: t.position } });
        break;
      case 'tallyProgress':
        this.set({ progress: { done: t.done, total: t.total } });
        break;
      case 'tallied':
        this.set({ progress: { done: t.ballots, total: t.ballots } });
        break;
    }
    this.scheduleRefresh();
  }

  private onLog(p: Push): void {
    if (p.name === 'board.log') this.scheduleRefresh();
  }

  /** Pushes come in bursts (a pool release, a tally batch): one re-read for the lot. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    const electionId = this.electionId;
    try {
      const [summary, results] = await Promise.all([
        this.query<BoardSummary>('board.summary', { electionId }),
        this.query<TallyResults>('tally.results', { electionId }),
      ]);
      this.set({ summary, results, logVersion: this.state.logVersion + 1 });
    } catch {
      // Reconnection re-reads everything.
    }
  }
}
