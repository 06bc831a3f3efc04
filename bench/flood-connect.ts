/**
 * The flood children's WebSocket connect: raw `ws` (the flood bypasses the client library), and at
 * the start of a phase it waits out a 429 left by the previous phase's penalty on 127.0.0.1.
 */
import WebSocket from 'ws';

export function connectRaw(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { maxPayload: 1024 * 1024 });
  return new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** connectRaw, trying again for up to `patienceMs` while the upgrade is refused. */
export async function connectPatiently(url: string, patienceMs: number): Promise<WebSocket> {
  const until = performance.now() + patienceMs;
  for (;;) {
    try {
      return await connectRaw(url);
    } catch (err) {
      if (performance.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
