/**
 * The reference client's WebSocket connection: request/reply by id, progress, pushes, timeouts,
 * typed errors, opt-in reconnection and opt-in retry of refusals that promise nothing was done. A
 * command in flight is never re-sent after a drop: the server may have applied it (docs/gateway.md, "Clients").
 */
import WebSocket from 'ws';
import { EvoteError } from './errors.ts';
import { dispatchFrame, type Kind, type PendingReply, type Push, type RequestOptions } from './envelope.ts';

export { EvoteError };
export type { Kind, Push, RequestOptions } from './envelope.ts';

export interface ReconnectOptions {
  /** Attempts per outage before giving up (default 8). */
  retries?: number;
  /** First delay; doubled each attempt, with ±20% jitter (default 100 ms). */
  initialDelayMs?: number;
  /** Ceiling of the delay (default 5 s). */
  maxDelayMs?: number;
}

/** Retries of replies that say the request did nothing and may be sent again (RETRYABLE_CODES). */
export interface RetryOptions {
  /** Retries per request before the refusal is returned (default 6). */
  retries?: number;
  /** First delay, doubled each retry with ±20% jitter, never below the server's `retryAfterMs` (default 100 ms). */
  initialDelayMs?: number;
  /** Ceiling of the delay (default 5 s). */
  maxDelayMs?: number;
}

/** Refusals that mean "not done, try again later": the gateway promises the request had no effect. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['SERVICE_UNAVAILABLE', 'TOO_MANY_IN_FLIGHT', 'TOO_MANY_REQUESTS']);

/** The wait before retry `attempt` (1-based) after `err`: the backoff, or the server's retryAfterMs (jittered) if longer. */
export function retryDelay(attempt: number, err: EvoteError, opts: Required<RetryOptions>, random = Math.random): number {
  const backoff = backoffDelay(attempt, opts, random);
  const asked = Number(err.details?.retryAfterMs);
  if (!Number.isFinite(asked) || asked <= backoff) return backoff;
  return Math.round(Math.min(asked, 60_000) * (1 + 0.2 * random()));
}

export interface ConnectOptions {
  /** Default request timeout (default 30 s). */
  timeoutMs?: number;
  /** Reconnect after a drop (for subscriptions and queries). Off unless given. */
  reconnect?: ReconnectOptions | boolean;
  /** Retry SERVICE_UNAVAILABLE, TOO_MANY_IN_FLIGHT and TOO_MANY_REQUESTS with backoff (any kind of request). Off unless given. */
  retry?: RetryOptions | boolean;
  /** Told about each reconnection attempt: `attempt` from 1, `error` when it failed. */
  onReconnect?: (info: { attempt: number; delayMs: number; error?: string; connected: boolean }) => void;
  /** Told once the connection is closed for good (by either side, after any reconnection gave up). */
  onClosed?: (closed: { code: number; reason: string }) => void;
}

interface Pending extends PendingReply {
  kind: Kind;
  /** Re-sent after a reconnection (queries and subscriptions only). */
  frame: string;
}

interface Subscription {
  name: string;
  payload: unknown;
  opts: RequestOptions;
  onPush: (push: Push) => void;
  onResubscribed?: (snapshot: unknown) => void;
  /** The server-side id: the id of the subscribe request that is currently live. */
  serverId: string;
}

/** Delay before reconnection attempt `attempt` (1-based): exponential, capped, ±20% jitter. */
export function backoffDelay(attempt: number, opts: Required<ReconnectOptions>, random = Math.random): number {
  const base = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 256 * 1024 * 1024 });
    const onError = (err: Error) => reject(new EvoteError('UNREACHABLE', `cannot connect to ${url}: ${err.message || (err as NodeJS.ErrnoException).code || 'connection failed'}`));
    ws.once('error', onError);
    ws.once('open', () => {
      ws.off('error', onError);
      resolve(ws);
    });
  });
}

export class EvoteConnection {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  /** Push handlers by server-side subscription id. */
  private readonly pushHandlers = new Map<string, (push: Push) => void>();
  /** Live subscriptions by the id handed to the caller (stable across reconnections). */
  private readonly subscriptions = new Map<string, Subscription>();
  private closing = false;
  private reconnecting?: Promise<void>;
  private readonly reconnect?: Required<ReconnectOptions>;
  private readonly retry?: Required<RetryOptions>;
  /** Close code and reason once the server closed the socket (and reconnection, if any, gave up). */
  closed?: { code: number; reason: string };

  private constructor(
    private ws: WebSocket,
    readonly url: string,
    private readonly defaultTimeoutMs: number,
    private readonly opts: ConnectOptions,
  ) {
    if (opts.reconnect) {
      const r = opts.reconnect === true ? {} : opts.reconnect;
      this.reconnect = { retries: r.retries ?? 8, initialDelayMs: r.initialDelayMs ?? 100, maxDelayMs: r.maxDelayMs ?? 5_000 };
    }
    if (opts.retry) {
      const r = opts.retry === true ? {} : opts.retry;
      this.retry = { retries: r.retries ?? 6, initialDelayMs: r.initialDelayMs ?? 100, maxDelayMs: r.maxDelayMs ?? 5_000 };
    }
    this.attach(ws);
  }

  /** Opens a connection; rejects with EvoteError('UNREACHABLE') when the server cannot be reached. */
  static async connect(url: string, opts: ConnectOptions = {}): Promise<EvoteConnection> {
    return new EvoteConnection(await openSocket(url), url, opts.timeoutMs ?? 30_000, opts);
  }

  private attach(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(data.toString());
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
    ws.on('error', () => {
      // 'close' follows and settles what is pending.
    });
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    const retry = this.reconnect && !this.closing;
    for (const [id, p] of this.pending) {
      // Queries wait for the new socket; commands (and subscribe frames, re-sent separately) fail now.
      if (retry && p.kind === 'query') continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new EvoteError('CONNECTION_CLOSED', `connection closed (${code}) before the reply to ${id}; a command may or may not have been applied`));
    }
    if (!retry) {
      this.setClosed(code, reason);
      return;
    }
    this.reconnecting ??= this.reconnectLoop(code, reason).finally(() => (this.reconnecting = undefined));
  }

  private setClosed(code: number, reason: string): void {
    this.closed = { code, reason };
    this.opts.onClosed?.(this.closed);
  }

  private async reconnectLoop(code: number, reason: string): Promise<void> {
    const r = this.reconnect!;
    for (let attempt = 1; attempt <= r.retries && !this.closing; attempt++) {
      const delayMs = backoffDelay(attempt, r);
      await new Promise((res) => setTimeout(res, delayMs));
      if (this.closing) return;
      try {
        const ws = await openSocket(this.url);
        this.ws = ws;
        this.attach(ws);
        this.opts.onReconnect?.({ attempt, delayMs, connected: true });
        for (const p of this.pending.values()) ws.send(p.frame);
        for (const sub of this.subscriptions.values()) void this.resubscribe(sub);
        return;
      } catch (err) {
        this.opts.onReconnect?.({ attempt, delayMs, error: (err as Error).message, connected: false });
      }
    }
    this.setClosed(code, reason);
    this.closing = true; // gave up: later requests fail at once
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new EvoteError('CONNECTION_CLOSED', `connection lost and ${r.retries} reconnection attempts failed (${id})`));
    }
    this.pending.clear();
  }

  private async resubscribe(sub: Subscription): Promise<void> {
    let id = '';
    this.pushHandlers.delete(sub.serverId);
    const onId = (next: string) => {
      this.pushHandlers.delete(id);
      this.pushHandlers.set((id = next), sub.onPush);
    };
    try {
      const snapshot = await this.requestWithRetry('subscribe', sub.name, sub.payload, sub.opts, onId);
      sub.serverId = id;
      sub.onResubscribed?.(snapshot);
    } catch {
      this.pushHandlers.delete(id);
      // The next drop (or the caller's unsubscribe) settles it; a refusal here means the topic is gone.
    }
  }

  /** Sends a raw text frame: for protocol tests that need malformed input. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /**
   * Sends one request; rejects with an EvoteError carrying the server's code (or TIMEOUT /
   * CONNECTION_CLOSED). With `retry`, a RETRYABLE_CODES refusal is sent again after a backoff.
   */
  request<T = unknown>(kind: Kind, name: string, payload?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.requestWithRetry<T>(kind, name, payload, opts);
  }

  /** `onId` learns each attempt's request id before it is sent (a subscription's pushes carry it). */
  private async requestWithRetry<T>(kind: Kind, name: string, payload: unknown, opts: RequestOptions, onId?: (id: string) => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(kind, name, payload, opts, onId);
      } catch (err) {
        const r = this.retry;
        if (!r || attempt > r.retries || this.closing || !(err instanceof EvoteError) || !RETRYABLE_CODES.has(err.code)) throw err;
        await new Promise((res) => setTimeout(res, retryDelay(attempt, err, r)));
      }
    }
  }

  private send<T>(kind: Kind, name: string, payload: unknown, opts: RequestOptions, onId?: (id: string) => void): Promise<T> {
    const id = `r${this.nextId++}`;
    onId?.(id);
    const envelope: Record<string, unknown> = { id, kind, name };
    if (payload !== undefined) envelope.payload = payload;
    if (opts.token !== undefined) envelope.token = opts.token;
    const frame = JSON.stringify(envelope);
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EvoteError('TIMEOUT', `no reply to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { kind, frame, resolve: resolve as (v: unknown) => void, reject, timer, onProgress: opts.onProgress });
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
      else if (!(this.reconnect && !this.closing && kind === 'query')) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new EvoteError('CONNECTION_CLOSED', `the connection is closed; ${name} was not sent`));
      }
      // else: a query waits for the reconnection, which sends every pending frame.
    });
  }

  /** Subscribes; pushes go to `onPush`, and with reconnection `onResubscribed` gets each new snapshot. */
  async subscribe<T = unknown>(
    name: string,
    payload: unknown,
    onPush: (push: Push) => void,
    opts: RequestOptions & { onResubscribed?: (snapshot: T) => void } = {},
  ): Promise<{ subscription: string; snapshot: T }> {
    let id = '';
    const onId = (next: string) => {
      this.pushHandlers.delete(id);
      this.pushHandlers.set((id = next), onPush);
    };
    try {
      const { onResubscribed, ...requestOpts } = opts;
      const snapshot = await this.requestWithRetry<T>('subscribe', name, payload, requestOpts, onId);
      this.subscriptions.set(id, { name, payload, opts: requestOpts, onPush, onResubscribed: onResubscribed as ((s: unknown) => void) | undefined, serverId: id });
      return { subscription: id, snapshot };
    } catch (err) {
      this.pushHandlers.delete(id);
      throw err;
    }
  }

  async unsubscribe(name: string, subscription: string, opts: RequestOptions = {}): Promise<void> {
    const sub = this.subscriptions.get(subscription);
    const serverId = sub?.serverId ?? subscription;
    this.subscriptions.delete(subscription);
    await this.request('unsubscribe', name, { subscription: serverId }, opts);
    this.pushHandlers.delete(serverId);
  }

  /** Unsolicited replies (id: null) — e.g. to a frame whose id could not be read. */
  onOrphanReply?: (reply: { ok: boolean; error?: { code: string; message: string } }) => void;

  /** Closes for good (no reconnection); resolves once the socket is closed. */
  close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }

  /** Drops the socket abruptly, as a network failure would (tests of reconnection). */
  terminate(): void {
    this.ws.terminate();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private onMessage(text: string): void {
    const orphan = dispatchFrame(text, this.pending, this.pushHandlers);
    if (orphan) this.onOrphanReply?.(orphan);
  }
}
