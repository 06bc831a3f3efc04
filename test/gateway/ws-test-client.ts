/** A real `ws` client that records every message, for protocol tests. */
import WebSocket from 'ws';

// Test messages are arbitrary JSON; `any` keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = any;

export class TestClient {
  readonly messages: Msg[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners = new Set<() => void>();
  private seq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.messages.push(isBinary ? { binary: true } : JSON.parse(data.toString()));
      for (const l of [...this.listeners]) l();
    });
    // Errors (e.g. ECONNRESET after the server drops a connection) show up as the close code.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, headers?: Record<string, string>): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, maxPayload: 256 * 1024 * 1024 });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(frame: string | Buffer | object): void {
    if (typeof frame === 'string' || Buffer.isBuffer(frame)) this.ws.send(frame, { binary: Buffer.isBuffer(frame) });
    else this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first recorded message matching, waiting for it if needed. */
  waitFor(pred: (m: Msg) => boolean, timeoutMs = 5000, from = 0): Promise<Msg> {
    return this.waitForCount(pred, 1, timeoutMs, from).then((ms) => ms[0]);
  }

  /** The first n recorded messages (from index `from` on) matching, waiting for them if needed. */
  waitForCount(pred: (m: Msg) => boolean, n: number, timeoutMs = 5000, from = 0): Promise<Msg[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).filter(pred);
        if (found.length < n) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(found.slice(0, n));
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${n} message(s); got ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  /** Sends a request envelope (id generated unless given) and resolves with its final reply. */
  async request(env: { kind: string; name: string; payload?: object; token?: string; id?: string }): Promise<Msg> {
    const id = env.id ?? `r${++this.seq}-${Math.random().toString(36).slice(2, 8)}`;
    const from = this.messages.length;
    this.send({ ...env, id });
    return this.waitFor((m) => m.id === id && 'ok' in m, 5000, from);
  }

  close(): void {
    this.ws.close();
  }
}
