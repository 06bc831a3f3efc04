/**
 * A counting SMTP server in a process of its own, for the letters benchmark: the mail server a
 * deployment sends to is not inside evote, so its work must not be timed on the issuer's thread.
 * Protocol over the IPC channel: it sends { url } once listening; 'count' → { received, cpuMs,
 * bytes } (messages, this process's CPU time so far, message bytes received);
 * 'close' → it closes and exits.
 */
import { startLocalSmtpServer } from '../scripts/local-smtp-server.ts';

let received = 0;
let bytes = 0;
const server = await startLocalSmtpServer({
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
process.on('message', (msg: string) => {
  if (msg === 'count') {
    const cpu = process.cpuUsage();
    process.send?.({ received, cpuMs: (cpu.user + cpu.system) / 1000, bytes });
  }
  else if (msg === 'close') void server.close().then(() => process.exit(0));
});
process.send?.({ url: server.url });
