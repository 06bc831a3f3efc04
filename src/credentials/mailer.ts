/**
 * E-mail delivery of credential letters over SMTP: transient failures retried with backoff, 5xx not.
 * The reason reported holds only reply and error codes, never the server's text nor the letter.
 */
import { FINGERPRINT_LABEL, LETTER_INSTRUCTIONS } from './letter.ts';
import { formatFingerprint } from '../crypto/election-fingerprint.ts';
import { buildLetterMime, isBareAddress, parseSender, QR_CID } from './letter-mime.ts';
import { createSmtpPool } from './smtp-pool.ts';

export interface MailLetter {
  to: string;
  electionTheme: string;
  /** The election fingerprint (src/crypto/election-fingerprint.ts), 64 hex digits. */
  fingerprint: string;
  voterId: string;
  n1: string;
  n2: string;
  uri: string;
  qrPng: Buffer;
}

export type DeliveryResult = { ok: true; attempts: number } | { ok: false; code: 'DELIVERY_FAILED'; attempts: number; reason: string };

export interface Mailer {
  sendLetter(letter: MailLetter): Promise<DeliveryResult>;
  /** Closes the pooled connections (letters in flight are sent first). */
  close(): void;
}

export interface MailerOptions {
  from?: string;
  /** Attempts per letter, the first included (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time, capped at 60 s (default 1,000 ms). */
  retryDelayMs?: number;
  /** Pooled SMTP connections (default 5). */
  maxConnections?: number;
}

const MAX_RETRY_DELAY_MS = 60_000;
/** nodemailer's and Node's codes for a connection that failed or broke: worth another try. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface SmtpFailure {
  transient: boolean;
  reason: string;
}

export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { responseCode?: unknown; code?: unknown };
  const code = typeof e.code === 'string' && /^[A-Z_]{1,32}$/.test(e.code) ? e.code : 'UNKNOWN';
  if (typeof e.responseCode === 'number') {
    return { transient: e.responseCode >= 400 && e.responseCode < 500, reason: `SMTP ${e.responseCode} (${code})` };
  }
  return { transient: TRANSIENT_CODES.has(code), reason: `${TRANSIENT_CODES.has(code) ? 'connection error' : 'error'} (${code})` };
}

const oneLine = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max); // eslint-disable-line no-control-regex
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function letterText(l: Omit<MailLetter, 'to' | 'qrPng'>): string {
  return [
    `Your voting credential for: ${oneLine(l.electionTheme, 500)}`,
    `${FINGERPRINT_LABEL} ${formatFingerprint(l.fingerprint)}`,
    '',
    ...LETTER_INSTRUCTIONS.map((line, i) => `${i + 1}. ${line}`),
    '',
    `Voter id: ${l.voterId}`,
    `N1 (submission token): ${l.n1}`,
    `N2 (receipt number):   ${l.n2}`,
    '',
    'Your credential (the attached QR code carries the same text):',
    l.uri,
    '',
  ].join('\n');
}

function letterHtml(l: Omit<MailLetter, 'to' | 'qrPng'>): string {
  const items = LETTER_INSTRUCTIONS.map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  return `<!doctype html><html><body>
<h1>Your voting credential</h1><h2>${escapeHtml(oneLine(l.electionTheme, 500))}</h2>
<p>${FINGERPRINT_LABEL} <code>${escapeHtml(formatFingerprint(l.fingerprint))}</code></p>
<ol>${items}</ol>
<p><code>Voter id: ${escapeHtml(l.voterId)}<br>N1 (submission token): ${escapeHtml(l.n1)}<br>N2 (receipt number): ${escapeHtml(l.n2)}</code></p>
<p><img src="cid:${QR_CID}" alt="credential QR code" width="300" height="300"></p>
<p>Your credential: <code>${escapeHtml(l.uri)}</code></p>
</body></html>`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSmtpMailer(smtpUrl: string, opts: MailerOptions = {}): Mailer {
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? 5));
  const retryDelayMs = Math.max(0, opts.retryDelayMs ?? 1_000);
  const from = opts.from ?? 'evote <no-reply@localhost>';
  const sender = parseSender(from);
  if (!sender) throw new RangeError('the mailer needs one sender address (from)');
  const pool = createSmtpPool(smtpUrl, {
    maxConnections: opts.maxConnections ?? 5,
    connectionTimeoutMs: 15_000,
    greetingTimeoutMs: 15_000,
    socketTimeoutMs: 60_000,
  });

  return {
    async sendLetter(letter) {
      if (!isBareAddress(letter.to)) return { ok: false, code: 'DELIVERY_FAILED', attempts: 0, reason: 'permanent failure: invalid address (EADDRESS)' };
      // Built here (letter-mime.ts); the SMTP connection only carries it.
      const mime = buildLetterMime({
        from: sender,
        to: letter.to,
        subject: `Your voting credential: ${oneLine(letter.electionTheme, 150)}`,
        text: letterText(letter),
        html: letterHtml(letter),
        png: letter.qrPng,
      });
      const envelope = { from: sender.address, to: [letter.to] };
      const message = Buffer.from(mime.message, 'utf8');
      let last: SmtpFailure = { transient: false, reason: 'not attempted' };
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await pool.send(envelope, message);
          return { ok: true, attempts: attempt };
        } catch (err) {
          last = classifySmtpError(err);
          if (!last.transient) return { ok: false, code: 'DELIVERY_FAILED', attempts: attempt, reason: `permanent failure: ${last.reason}` };
          if (attempt < maxAttempts) {
            // Jitter spreads thousands of retries so a recovering server is not hit all at once.
            const base = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (attempt - 1));
            await sleep(base * (0.8 + 0.4 * Math.random()));
          }
        }
      }
      return { ok: false, code: 'DELIVERY_FAILED', attempts: maxAttempts, reason: `gave up after ${maxAttempts} attempts: ${last.reason}` };
    },
    close() {
      pool.close();
    },
  };
}
