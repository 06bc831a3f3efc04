/**
 * An in-process SMTP server on 127.0.0.1 and an ephemeral port, for the demo, the benchmarks and
 * the tests (a real server: `smtp-server`, a dev dependency). Callers decide what to do with each
 * message; reverse DNS is off, or every connection would wait on a lookup.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface LocalSmtpServer {
  url: string;
  close(): Promise<void>;
}

export async function startLocalSmtpServer(handlers: Pick<SMTPServerOptions, 'onData' | 'onRcptTo'>): Promise<LocalSmtpServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    size: 1024 * 1024,
    ...handlers,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
