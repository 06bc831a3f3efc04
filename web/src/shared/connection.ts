/**
 * The browser's WebSocket connection to the gateway (same envelope as src/client/connection.ts):
 * request/reply by id, progress of long commands, subscription pushes, typed errors. No
 * reconnection of commands: the server may have applied one that lost its reply.
 */
import { EvoteError } from '../../../src/client/errors.ts';
import { dispatchFrame, type Kind, type PendingReply, type Push, type RequestOptions } from '../../../src/client/envelope.ts';

const OPEN = 1;

export { EvoteError } from '../../../src/client/errors.ts';
export type { Kind, Push, RequestOptions } from '../../../src/client/envelope.ts';

/** ws(s)://<this page's host>/ws: pages talk only to the gateway that served them (the CSP says so too). */
export function gatewayUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class Connection {
  private nextId = 1;
  private readonly pending = new Map<string, PendingReply>();
  private readonly pushHandlers = new Map<string, (push: Push) => void>();
  /** Set once the socket closed; later requests fail at once. */
  closed?: { code: number; reason: string };
  onClosed?: (closed: { code: number; reason: string }) => void;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => {
      if (typeof e.data === 'string') this.onMessage(e.data);
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new EvoteError('CONNECTION_CLOSED', `connection closed (${e.code}) before the reply to ${id}`));
      }
      this.pending.clear();
      this.onClosed?.(this.closed);
    });
  }

  /** `WebSocketImpl` lets Node tests pass the `ws` package (Node 20 has no global WebSocket). */
  static open(url: string = gatewayUrl(), WebSocketImpl: typeof WebSocket = globalThis.WebSocket): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      const fail = () => reject(new EvoteError('UNREACHABLE', 'cannot reach the server'));
      ws.addEventListener('error', fail, { once: true });
      ws.addEventListener(
        'open',
        () => {
          ws.removeEventListener('error', fail);
          resolve(new Connection(ws));
        },
        { once: true },
      );
    });
  }

  request<T = unknown>(kind: Kind, name: string, payload?: unknown, opts: RequestOptions = {}): Promise<T> {
    if (this.closed || this.ws.readyState !== OPEN) return Promise.reject(new EvoteError('CONNECTION_CLOSED', `the connection is closed; ${name} was not sent`));
    const id = `r${this.nextId++}`;
    const envelope: Record<string, unknown> = { id, kind, name };
    if (payload !== undefined) envelope.payload = payload;
    if (opts.token !== undefined) envelope.token = opts.token;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EvoteError('TIMEOUT', `no reply to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, onProgress: opts.onProgress });
      this.ws.send(JSON.stringify(envelope));
    });
  }

  query<T = unknown>(name: string, payload?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request<T>('query', name, payload, opts);
  }

  command<T = unknown>(name: string, payload?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request<T>('command', name, payload, opts);
  }

  /** Subscribes; returns the snapshot, and each later push goes to `onPush`. */
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

  close(): void {
    this.ws.close(1000);
  }

  private onMessage(text: string): void {
    dispatchFrame(text, this.pending, this.pushHandlers);
  }
}
