import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createSmtpMailer, classifySmtpError, type MailLetter, type Mailer } from '../../src/credentials/mailer.ts';
import { credentialQrPng, decodeQrPng } from '../../src/credentials/qr.ts';
import { formatCredentialUri, parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';

/** A real SMTP server; the recipient's local part picks its behaviour (greylist-*, reject-*, else accept). */
const received: ParsedMail[] = [];
const rcptAttempts = new Map<string, number>();
let openSessions = 0;
let maxOpenSessions = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  // Otherwise every connection waits on a reverse DNS lookup of 127.0.0.1.
  disableReverseLookup: true,
  onConnect(_session, callback) {
    maxOpenSessions = Math.max(maxOpenSessions, ++openSessions);
    callback();
  },
  onClose() {
    openSessions--;
  },
  onRcptTo(address, _session, callback) {
    const n = (rcptAttempts.get(address.address) ?? 0) + 1;
    rcptAttempts.set(address.address, n);
    const fail = (code: number, text: string) => callback(Object.assign(new Error(text), { responseCode: code }));
    if (address.address.startsWith('greylist-') && n <= 2) return fail(451, `Greylisted ${address.address}, try again later`);
    if (address.address.startsWith('reject-')) return fail(550, `No such user ${address.address}`);
    callback();
  },
  onData(stream, _session, callback) {
    // keepCidLinks: see the html as sent, not with the image inlined as a data: URI.
    simpleParser(stream, { keepCidLinks: true }).then(
      (mail) => {
        received.push(mail);
        callback();
      },
      (err: Error) => callback(err),
    );
  },
});

let smtpUrl: string;
let mailer: Mailer;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  mailer = createSmtpMailer(smtpUrl, { from: 'Election office <elections@example.org>', retryDelayMs: 20, maxAttempts: 5 });
});
afterAll(async () => {
  mailer?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function letterTo(to: string): Promise<{ letter: MailLetter; credential: Credential }> {
  const credential: Credential = { electionId: 'budget-2025', voterId: crypto.randomUUID(), secretCode: issueSecretCode().secretCode, ...issueTokens() };
  const uri = formatCredentialUri(credential);
  const { voterId, n1, n2 } = credential;
  return { credential, letter: { to, electionTheme: 'Participatory budget 2025', fingerprint: 'ab12'.repeat(16), voterId, n1, n2, uri, qrPng: await credentialQrPng(uri) } };
}

const mailTo = (address: string) => received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(address)));

describe('SMTP delivery of credential letters (real in-process SMTP server)', () => {
  it('delivers one letter: instructions, voter id, N1, N2 and URI in the text; the attached QR decodes to the URI', async () => {
    const { letter, credential } = await letterTo('ada@example.org');
    expect(await mailer.sendLetter(letter)).toEqual({ ok: true, attempts: 1 });
    const [mail] = mailTo('ada@example.org');
    expect(mail).toBeDefined();
    expect(mail!.from?.text).toContain('elections@example.org');
    expect(mail!.subject).toBe('Your voting credential: Participatory budget 2025');
    for (const part of [credential.voterId, credential.n1, credential.n2, letter.uri, 'Keep this letter private', `Election fingerprint: ${'ab12 '.repeat(15)}ab12`]) expect(mail!.text).toContain(part);
    expect(mail!.attachments).toHaveLength(1);
    const qr = mail!.attachments[0]!;
    expect(qr.contentType).toBe('image/png');
    expect(qr.cid).toBe('credential-qr@evote');
    expect(mail!.html).toContain('cid:credential-qr@evote');
    const decoded = decodeQrPng(qr.content);
    expect(decoded).toBe(letter.uri);
    expect(parseCredentialUri(decoded)).toEqual({ ok: true, value: credential });
  });

  it('retries a greylisting 451: delivered on the third attempt, once', async () => {
    const { letter } = await letterTo('greylist-bob@example.org');
    expect(await mailer.sendLetter(letter)).toEqual({ ok: true, attempts: 3 });
    expect(rcptAttempts.get('greylist-bob@example.org')).toBe(3);
    expect(mailTo('greylist-bob@example.org')).toHaveLength(1);
  });

  it('does not retry a permanent 550; the reason carries the code, not the address or a secret', async () => {
    const { letter } = await letterTo('reject-carol@example.org');
    const result = await mailer.sendLetter(letter);
    expect(result).toMatchObject({ ok: false, code: 'DELIVERY_FAILED', attempts: 1 });
    expect(rcptAttempts.get('reject-carol@example.org')).toBe(1);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toContain('550');
    for (const secret of ['reject-carol', letter.n1, letter.n2, letter.voterId, letter.uri]) expect(reason).not.toContain(secret);
  });

  it('gives up after maxAttempts when the server keeps answering 4xx', async () => {
    const strict = createSmtpMailer(smtpUrl, { retryDelayMs: 10, maxAttempts: 2 });
    try {
      const { letter } = await letterTo('greylist-dave@example.org');
      const result = await strict.sendLetter(letter);
      expect(result).toMatchObject({ ok: false, code: 'DELIVERY_FAILED', attempts: 2 });
      expect(result.ok ? '' : result.reason).toMatch(/451/);
      expect(mailTo('greylist-dave@example.org')).toHaveLength(0);
    } finally {
      strict.close();
    }
  });

  it('retries refused connections with backoff, then reports DELIVERY_FAILED with the attempts', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const dead = createSmtpMailer(`smtp://127.0.0.1:${port}`, { retryDelayMs: 50, maxAttempts: 3 });
    try {
      const t0 = performance.now();
      const result = await dead.sendLetter((await letterTo('erin@example.org')).letter);
      expect(result).toMatchObject({ ok: false, code: 'DELIVERY_FAILED', attempts: 3 });
      expect(result.ok ? '' : result.reason).toMatch(/connection error/);
      // Two backoff waits: ~50 ms then ~100 ms (±20% jitter).
      expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    } finally {
      dead.close();
    }
  });

  it('classifies SMTP failures: 4xx and broken connections are transient, 5xx and others are not', () => {
    expect(classifySmtpError({ responseCode: 421, code: 'EENVELOPE' })).toEqual({ transient: true, reason: 'SMTP 421 (EENVELOPE)' });
    expect(classifySmtpError({ responseCode: 554, code: 'EMESSAGE' }).transient).toBe(false);
    expect(classifySmtpError({ code: 'ETIMEDOUT' }).transient).toBe(true);
    expect(classifySmtpError({ code: 'EAUTH' }).transient).toBe(false);
    expect(classifySmtpError(new Error('x')).reason).toBe('error (UNKNOWN)');
    expect(classifySmtpError({ code: 'bad code with spaces <a@b>' }).reason).toBe('error (UNKNOWN)');
  });

  it('sends many letters over at most 5 pooled connections (informal throughput)', async () => {
    const n = 300;
    const letters = await Promise.all(Array.from({ length: n }, (_, i) => letterTo(`bulk-${i}@example.org`)));
    const before = received.length;
    maxOpenSessions = 0;
    const t0 = performance.now();
    const results = await Promise.all(letters.map(({ letter }) => mailer.sendLetter(letter)));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`[mailer] ${n} letters delivered in ${seconds.toFixed(2)} s: ${Math.round(n / seconds)} letters/s over ${maxOpenSessions} connections`);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(received.length - before).toBe(n);
    expect(maxOpenSessions).toBeLessThanOrEqual(5);
    expect(maxOpenSessions).toBeGreaterThan(1);
  });
});
