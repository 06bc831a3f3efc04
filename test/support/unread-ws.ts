/**
 * A WebSocket client on a bare TCP socket that stops reading once it has what it waited for: the
 * kernel buffers fill and the server's backlog for it grows, as with a stalled or hostile subscriber.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** One masked client text frame (RFC 6455 §5.2). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
  if (len > 0xffff) throw new Error('frame too large for this helper');
  const mask = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, masked]);
}

export interface UnreadSocket {
  socket: net.Socket;
  /** Everything read before reading stopped. */
  received: string;
  destroy(): void;
}

/**
 * Upgrades, sends `frames`, reads until the text read so far satisfies `until`, then never reads
 * again (the socket is paused: the kernel's receive buffer fills and TCP stops the server).
 */
export function openUnreadSocket(url: string, frames: string[], until: (received: string) => boolean, timeoutMs = 10_000): Promise<UnreadSocket> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const out: UnreadSocket = { socket, received: '', destroy: () => socket.destroy() };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no expected reply in time; read ${JSON.stringify(out.received.slice(0, 300))}`));
    }, timeoutMs);
    socket.once('error', reject);
    socket.once('connect', () => {
      const key = randomBytes(16).toString('base64');
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let upgraded = false;
    const onData = (chunk: Buffer) => {
      out.received += chunk.toString('latin1');
      if (!upgraded && out.received.includes('\r\n\r\n')) {
        if (!out.received.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${out.received.split('\r\n')[0]}`));
        upgraded = true;
        for (const f of frames) socket.write(clientTextFrame(f));
      }
      if (upgraded && until(out.received)) {
        clearTimeout(timer);
        socket.pause();
        socket.off('data', onData);
        resolve(out);
      }
    };
    socket.on('data', onData);
  });
}
