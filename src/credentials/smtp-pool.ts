/**
 * SMTP connections for the mailer: nodemailer's SMTPConnection, up to `maxConnections`, kept open
 * (why not its pooled transport: docs/credentials.md). A refused message keeps the connection after
 * RSET; any other failure closes it.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

export interface SmtpPoolOptions {
  maxConnections: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

export interface SmtpPool {
  /** Sends one complete RFC 5322 message; rejects with nodemailer's error. */
  send(envelope: SmtpEnvelope, message: Buffer): Promise<void>;
  /** Ends every connection (QUIT); sends still in flight finish first. */
  close(): void;
}

export function createSmtpPool(smtpUrl: string, opts: SmtpPoolOptions): SmtpPool {
  const { auth, ...fromUrl } = parseConnectionUrl(smtpUrl);
  const options: SMTPConnection.Options = {
    ...fromUrl,
    connectionTimeout: opts.connectionTimeoutMs,
    greetingTimeout: opts.greetingTimeoutMs,
    socketTimeout: opts.socketTimeoutMs,
    // The messages carry credentials: no protocol logging, ever.
    logger: false,
    debug: false,
  };
  const credentials = auth?.user || auth?.pass ? { user: auth.user ?? '', pass: auth.pass ?? '' } : undefined;

  const idle: SMTPConnection[] = [];
  const gone = new WeakSet<SMTPConnection>();
  const waiting: (() => void)[] = [];
  let open = 0;
  let closed = false;

  const wakeOne = () => waiting.shift()?.();

  /** Forgets a connection once, whichever way it ended: its slot goes to whoever waits. */
  const forget = (c: SMTPConnection) => {
    if (gone.has(c)) return;
    gone.add(c);
    open--;
    const at = idle.indexOf(c);
    if (at >= 0) idle.splice(at, 1);
    c.close();
    wakeOne();
  };

  const connect = () =>
    new Promise<SMTPConnection>((resolve, reject) => {
      const c = new SMTPConnection(options);
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(c);
      };
      // Connection-level failures, whether a send is in flight (its callback gets the same
      // error) or the connection sits idle (the server timed it out): the connection is done.
      c.on('error', (err: Error) => {
        settle(err);
        forget(c);
      });
      c.once('end', () => {
        forget(c);
        settle(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' }));
      });
      c.connect(() => {
        if (!credentials || !c.allowsAuth) return settle();
        c.login(credentials, (err) => {
          // Settled first: closing the connection emits 'end', whose error would hide this one.
          settle(err ?? undefined);
          if (err) forget(c);
        });
      });
    });

  const acquire = async (): Promise<SMTPConnection> => {
    for (;;) {
      const c = idle.pop();
      if (c) return c;
      if (open < opts.maxConnections) {
        open++;
        // A connection that fails to open is forgotten (its slot freed) by connect() itself.
        return connect();
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  const release = (c: SMTPConnection) => {
    if (gone.has(c)) return;
    if (closed) {
      c.quit();
      return;
    }
    idle.push(c);
    wakeOne();
  };

  return {
    async send(envelope, message) {
      if (closed) throw Object.assign(new Error('the SMTP pool is closed'), { code: 'ECONNECTION' });
      const c = await acquire();
      await new Promise<void>((resolve, reject) => {
        c.send(envelope, message, (err) => {
          if (!err) {
            release(c);
            return resolve();
          }
          const e = err as Error & { code?: string; responseCode?: number };
          const refused = (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !gone.has(c);
          // The server refused this message, not the session: RSET and keep the connection.
          if (refused) c.reset((resetErr) => (resetErr ? forget(c) : release(c)));
          else forget(c);
          reject(err);
        });
      });
    },
    close() {
      closed = true;
      for (const c of idle.splice(0)) c.quit();
    },
  };
}
