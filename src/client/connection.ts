/**
 * The reference client's WebSocket connection: request/reply correlation by id, progress
 * callbacks, pushes for subscriptions, request timeouts, and typed errors carrying the server's codes.
 */
import WebSocket from 'ws';

export type Kind = 'command' | 'query' | 'subscribe' | 'unsubscribe';

export class EvoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EvoteError';
  }
}

export interface RequestOptions {
  token?: string;
  timeoutMs?: number;
  onProgress?: (progress: unknown) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  onProgress?: (progress: unknown) => void;
}

export interface Push {
  kind: 'event';
  subscription: string;
  name: string;
  payload: unknown;
}

export class EvoteConnection {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly pushHandlers = new Map<string, (push: Push) => void>();
  /** Close code and reason once the server closed the socket. */
  closed?: { code: number; reason: string };

  private constructor(
    private readonly ws: WebSocket,
    private readonly defaultTimeoutMs: number,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(data.toString());
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new EvoteError('CONNECTION_CLOSED', `connection closed (${code}) before reply to ${id}`));
      }
      this.pending.clear();
    });
    ws.on('error', () => {
      // 'close' follows and rejects what is pending.
    });
  }

  static connect(url: string, opts: { timeoutMs?: number } = {}): Promise<EvoteConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 256 * 1024 * 1024 });
      const onError = (err: Error) => reject(new EvoteError('UNREACHABLE', `cannot connect to ${url}: ${err.message}`));
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve(new EvoteConnection(ws, opts.timeoutMs ?? 30_000));
      });
    });
  }

  /** Sends a raw text frame: for protocol tests that need malformed input. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Waits for the next reply frame carrying `id` (including id: null replies to unreadable frames). */
  request<T = unknown>(kind: Kind, name: string, payload?: unknown, opts: RequestOptions = {}): Promise<T> {
    const id = `r${this.nextId++}`;
    const envelope: Record<string, unknown> = { id, kind, name };
    if (payload !== undefined) envelope.payload = payload;
    if (opts.token !== undefined) envelope.token = opts.token;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EvoteError('TIMEOUT', `no reply to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, onProgress: opts.onProgress });
      this.ws.send(JSON.stringify(envelope));
    });
  }

  /** Subscribes and returns the snapshot result and the subscription id; pushes go to `onPush`. */
  async subscribe<T = unknown>(name: string, payload: unknown, onPush: (push: Push) => void, opts: RequestOptions = {}): Promise<{ subscription: string; snapshot: T }> {
    const id = `r${this.nextId}`;
    this.pushHandlers.set(id, onPush);
    try {
      const snapshot = await this.request<T>('subscribe', name, payload, opts);
      return { subscription: id, snapshot };
    } catch (err) {
      this.pushHandlers.delete(id);
      throw err;
    }
  }

  async unsubscribe(name: string, subscription: string, opts: RequestOptions = {}): Promise<void> {
    await this.request('unsubscribe', name, { subscription }, opts);
    this.pushHandlers.delete(subscription);
  }

  /** Unsolicited replies (id: null) — e.g. to a frame whose id could not be read. */
  onOrphanReply?: (reply: { ok: boolean; error?: { code: string; message: string } }) => void;

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private onMessage(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (msg.kind === 'event' && typeof msg.subscription === 'string') {
      this.pushHandlers.get(msg.subscription)?.(msg as unknown as Push);
      return;
    }
    const id = msg.id;
    if (id === null || id === undefined) {
      this.onOrphanReply?.(msg as { ok: boolean; error?: { code: string; message: string } });
      return;
    }
    const p = this.pending.get(String(id));
    if (!p) return;
    if (msg.kind === 'progress') {
      p.onProgress?.(msg.payload);
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(String(id));
    if (msg.ok === true) p.resolve(msg.result);
    else {
      const e = (msg.error ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
      p.reject(new EvoteError(e.code ?? 'UNKNOWN', e.message ?? 'request failed', e.details));
    }
  }
}
