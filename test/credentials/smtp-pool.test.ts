/**
 * The mailer's SMTP connections (src/credentials/smtp-pool.ts) against real in-process SMTP
 * servers: credentials from the URL, a connection the server closed while idle, a refused
 * recipient that keeps its connection, and the connection limit.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createSmtpPool, type SmtpPool } from '../../src/credentials/smtp-pool.ts';
import { until } from '../support/system.ts';

interface TestServer {
  url: (auth?: string) => string;
  received: string[];
  connections: number;
  /** Connections open now. */
  open: number;
  maxOpen: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function startServer(extra: Partial<SMTPServerOptions> = {}): Promise<TestServer> {
  let open = 0;
  const state = { received: [] as string[], connections: 0, maxOpen: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onConnect(_session, callback) {
      state.connections++;
      state.maxOpen = Math.max(state.maxOpen, ++open);
      callback();
    },
    onClose() {
      open--;
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('reject-')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received.push(`${session.envelope.rcptTo.map((r) => r.address).join(',')}:${Buffer.concat(chunks).toString('utf8')}`);
        callback();
      });
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const s: TestServer = {
    url: (auth) => `smtp://${auth ? `${auth}@` : ''}127.0.0.1:${port}`,
    received: state.received,
    get connections() {
      return state.connections;
    },
    get open() {
      return open;
    },
    get maxOpen() {
      return state.maxOpen;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(s);
  return s;
}

const TIMEOUTS = { connectionTimeoutMs: 5_000, greetingTimeoutMs: 5_000, socketTimeoutMs: 5_000 };
const message = (text: string) => Buffer.from(`Subject: test\r\n\r\n${text}\r\n`);
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; responseCode?: number }) => `${e.code}${e.responseCode ? ` ${e.responseCode}` : ''}`);

describe('SMTP connection pool (real SMTP servers)', () => {
  it('logs in with the credentials of the URL, and a wrong password is EAUTH', async () => {
    const server = await startServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 's3cret') return callback(null, { user: auth.username });
        callback(new Error('Invalid username or password'));
      },
    });
    let pool: SmtpPool = createSmtpPool(server.url('mailer:s3cret'), { maxConnections: 2, ...TIMEOUTS });
    await pool.send({ from: 'office@example.org', to: ['a@example.org'] }, message('hello'));
    pool.close();
    expect(server.received).toEqual(['a@example.org:Subject: test\r\n\r\nhello\r\n']);

    pool = createSmtpPool(server.url('mailer:wrong'), { maxConnections: 2, ...TIMEOUTS });
    expect(await codeOf(pool.send({ from: 'office@example.org', to: ['b@example.org'] }, message('no')))).toBe('EAUTH 535');
    pool.close();
    expect(server.received).toHaveLength(1);
  });

  it('opens a new connection when the server closed the idle one', async () => {
    const server = await startServer({ socketTimeout: 200 });
    const pool = createSmtpPool(server.url(), { maxConnections: 1, ...TIMEOUTS });
    try {
      await pool.send({ from: 'office@example.org', to: ['a@example.org'] }, message('one'));
      // The server's idle timeout closes the pooled connection (waited for, not guessed: under load it can take longer).
      await until(() => server.open === 0, 10_000, 'the server closing the idle connection');
      const send = () => codeOf(pool.send({ from: 'office@example.org', to: ['a@example.org'] }, message('two')));
      // Should the close reach the pool only as this send starts, it fails as a connection error
      // (the mailer retries those) and the next one goes out on a new connection.
      const first = await send();
      if (first !== 'ok') {
        expect(first).toMatch(/^(ECONNECTION|ESOCKET)/);
        expect(await send()).toBe('ok');
      }
      expect(server.received).toHaveLength(2);
      expect(server.connections).toBe(2);
    } finally {
      pool.close();
    }
  });

  it('keeps the connection after a refused recipient, and opens at most maxConnections', async () => {
    const server = await startServer();
    const pool = createSmtpPool(server.url(), { maxConnections: 1, ...TIMEOUTS });
    try {
      expect(await codeOf(pool.send({ from: 'office@example.org', to: ['reject-me@example.org'] }, message('x')))).toBe('EENVELOPE 550');
      await pool.send({ from: 'office@example.org', to: ['ok@example.org'] }, message('y'));
      expect(server.connections).toBe(1);
    } finally {
      pool.close();
    }

    const wide = createSmtpPool(server.url(), { maxConnections: 3, ...TIMEOUTS });
    try {
      await Promise.all(Array.from({ length: 60 }, (_, i) => wide.send({ from: 'office@example.org', to: [`v${i}@example.org`] }, message(`m${i}`))));
      expect(server.received).toHaveLength(61);
      expect(server.maxOpen).toBe(3);
    } finally {
      wide.close();
    }
  });

  it('fails with the socket error when nothing listens, and the next send tries again', async () => {
    const server = await startServer();
    const url = server.url();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const pool = createSmtpPool(url, { maxConnections: 1, ...TIMEOUTS });
    try {
      expect(await codeOf(pool.send({ from: 'office@example.org', to: ['a@example.org'] }, message('x')))).toBe('ESOCKET');
      // The failed connection gave its slot back: a second send is not stuck waiting for it.
      expect(await codeOf(pool.send({ from: 'office@example.org', to: ['a@example.org'] }, message('x')))).toBe('ESOCKET');
    } finally {
      pool.close();
    }
  });
});
