/**
 * A real in-process SMTP server (smtp-server) that parses every credential letter it receives
 * (mailparser) and decodes its QR attachment (src/credentials/qr.ts), plus a helper that issues an
 * election's credentials by e-mail over the real gateway and returns the parsed letters. Used by
 * the e-mail delivery, no-secrets and authentication end-to-end tests.
 */

import { startLocalSmtpServer } from '../../scripts/local-smtp-server.ts';
import { simpleParser, type ParsedMail } from 'mailparser';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import { parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import type { EvoteConnection } from '../../src/client/connection.ts';
import type { IssuanceProgress, IssuanceSummary } from '../../src/commands/credential-issuance.ts';

export interface ReceivedLetter {
  /** The recipient address. */
  to: string;
  /** The credential the QR code carries (parsed from the decoded QR text). */
  credential: Credential;
  /** The decoded QR text: the credential URI. */
  qrUri: string;
  /** The plain-text body. */
  text: string;
  mail: ParsedMail;
}

export interface SmtpSink {
  url: string;
  /** Every letter received so far, in arrival order. */
  letters: ReceivedLetter[];
  /** Parsing or QR problems (none expected). */
  problems: string[];
  /** Recipients refused so far, with how often. */
  refused: Map<string, number>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** An SMTP reply code (e.g. 550 permanent, 451 transient) to refuse this recipient with, or undefined to accept. */
  refuse?: (address: string) => number | undefined;
  /** Decode the QR code of the first N letters only (default: all); later ones are read from the text. */
  decodeQrFirst?: number;
}

/**
 * `decodeQr: false` reads the credential URI from the letter's text instead of decoding the QR
 * (jsQR costs ~65 ms a letter, in the same process as the server under test); the attachment must
 * still be there. Tests that check the QR itself keep the default.
 */
export function parseLetter(mail: ParsedMail, opts: { decodeQr?: boolean } = {}): ReceivedLetter {
  const to = (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value ?? []).map((a) => a.address ?? '')[0] ?? '';
  const png = mail.attachments.find((a) => a.contentType === 'image/png');
  if (!png) throw new Error('letter without a PNG attachment');
  const qrUri = opts.decodeQr === false ? /evote:credential\?\S+/.exec(mail.text ?? '')?.[0] : decodeQrPng(png.content);
  if (!qrUri) throw new Error('the QR attachment does not decode');
  const parsed = parseCredentialUri(qrUri);
  if (!parsed.ok) throw new Error(`the QR does not carry a credential URI: ${parsed.error.message}`);
  return { to, credential: parsed.value, qrUri, text: mail.text ?? '', mail };
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const letters: ReceivedLetter[] = [];
  const problems: string[] = [];
  const refused = new Map<string, number>();
  const server = await startLocalSmtpServer({
    onRcptTo(address, _session, callback) {
      const code = opts.refuse?.(address.address);
      if (code === undefined) return callback();
      refused.set(address.address, (refused.get(address.address) ?? 0) + 1);
      callback(Object.assign(new Error(`refused ${code}`), { responseCode: code }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          try {
            letters.push(parseLetter(mail, { decodeQr: letters.length < (opts.decodeQrFirst ?? Infinity) }));
          } catch (err) {
            problems.push((err as Error).message);
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  return { ...server, letters, problems, refused };
}

/**
 * Runs `credentials.issue` by e-mail over the gateway (admin token) and returns the summary, the
 * progress messages, and the letters of this election the sink received meanwhile.
 */
export async function issueLettersByEmail(
  admin: EvoteConnection,
  token: string,
  electionId: string,
  sink: SmtpSink,
): Promise<{ summary: IssuanceSummary; progress: IssuanceProgress[]; letters: ReceivedLetter[] }> {
  const before = sink.letters.length;
  const progress: IssuanceProgress[] = [];
  const summary = await admin.request<IssuanceSummary>(
    'command',
    'credentials.issue',
    { electionId, channel: 'email' },
    { token, timeoutMs: 300_000, onProgress: (p) => progress.push(p as IssuanceProgress) },
  );
  const letters = sink.letters.slice(before).filter((l) => l.credential.electionId === electionId);
  return { summary, progress, letters };
}
