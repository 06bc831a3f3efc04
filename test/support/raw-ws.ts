/** A raw WebSocket client for protocol tests that must send malformed frames and read every reply. */
import WebSocket from 'ws';

export interface RawReply {
  id: string | null;
  ok: boolean;
  kind?: string;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export class RawClient {
  private readonly inbox: RawReply[] = [];
  private waiters: (() => void)[] = [];
  closed?: { code: number; reason: string };

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.inbox.push(JSON.parse(data.toString()) as RawReply);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static connect(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next reply matching `pred` (removed from the inbox), or throws after timeoutMs or on close. */
  async next(pred: (r: RawReply) => boolean = () => true, timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((r) => r.kind !== 'event' && r.kind !== 'progress' && pred(r));
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      if (this.closed) throw new Error(`connection closed (${this.closed.code} ${this.closed.reason})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async request(envelope: Record<string, unknown>): Promise<RawReply> {
    this.send(JSON.stringify(envelope));
    return this.next((r) => r.id === envelope.id);
  }

  waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve(this.closed);
      const t = setTimeout(() => reject(new Error('not closed in time')), timeoutMs);
      this.ws.once('close', (code, reason) => {
        clearTimeout(t);
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  close(): void {
    this.ws.close();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}
