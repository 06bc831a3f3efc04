/**
 * The hand-built MIME message of a credential letter (letter-mime.ts), read back by a real MIME
 * parser (mailparser): headers, both bodies with non-ASCII text, the PNG attachment byte for byte,
 * RFC 5322 line rules, and refusal of addresses that could inject a header.
 */
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { buildLetterMime, parseSender, QR_CID, type LetterMimeInput } from '../../src/credentials/letter-mime.ts';
import { credentialQrPng } from '../../src/credentials/qr.ts';

async function input(overrides: Partial<LetterMimeInput> = {}): Promise<LetterMimeInput> {
  return {
    from: { name: 'Élection office', address: 'elections@example.org' },
    to: 'ada@example.org',
    subject: 'Your voting credential: Residents’ council 2026 — a long theme that needs folding over more than one header line',
    text: `Line one with ‘quotes’ and é\n\n${'x'.repeat(200)}\nevote:credential?v=1&e=abc&id=def\n.\n.leading dot\n`,
    html: '<p>Résumé</p><img src="cid:credential-qr@evote">',
    png: await credentialQrPng('evote:credential?v=1&e=a&id=b'),
    ...overrides,
  };
}

describe('buildLetterMime', () => {
  it('mailparser reads back the headers, both bodies and the PNG exactly', async () => {
    const m = await input();
    const { message, messageId } = buildLetterMime(m, new Date('2026-11-23T05:50:08Z'));
    const mail = await simpleParser(message, { keepCidLinks: true });
    expect(mail.from?.value).toEqual([{ name: 'Élection office', address: 'elections@example.org' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['ada@example.org']);
    expect(mail.subject).toBe(m.subject);
    expect(mail.date?.toISOString()).toBe('2026-11-23T05:50:08.000Z');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@example\.org>$/);
    expect(mail.messageId).toBe(messageId);
    expect(mail.text).toBe(m.text);
    expect(mail.html).toBe(m.html);
    expect(mail.attachments).toHaveLength(1);
    const [png] = mail.attachments;
    expect(png?.contentType).toBe('image/png');
    expect(png?.cid).toBe(QR_CID);
    expect(png?.filename).toBe('credential-qr.png');
    expect(Buffer.compare(png!.content, m.png)).toBe(0);
  });

  it('CRLF line ends only, every line at most 76 characters, ASCII only', async () => {
    const raw = buildLetterMime(await input()).message;
    expect(raw).not.toMatch(/[^\r]\n|\r[^\n]/);
    const lines = raw.split('\r\n');
    const tooLong = lines.filter((l) => l.length > 76);
    expect(tooLong).toEqual([]);
    expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    // Every part's boundary appears, and the message ends with the outer closing boundary.
    expect(raw.trimEnd()).toMatch(/--$/);
  });

  it('refuses recipient and sender addresses that are not bare addr-specs (no header injection)', async () => {
    const m = await input();
    for (const to of ['ada@example.org\r\nBcc: eve@example.org', 'Ada <ada@example.org>', 'no-at-sign', 'a@b@c', '']) {
      expect(() => buildLetterMime({ ...m, to }), to).toThrow(RangeError);
    }
    expect(() => buildLetterMime({ ...m, from: { name: 'x', address: 'x@y\nBcc: z@w' } })).toThrow(RangeError);
  });

  it('parseSender: one display name and bare address, or undefined', () => {
    expect(parseSender('evote <no-reply@localhost>')).toEqual({ name: 'evote', address: 'no-reply@localhost' });
    expect(parseSender('no-reply@localhost')).toEqual({ name: '', address: 'no-reply@localhost' });
    expect(parseSender('a@b.example, c@d.example')).toBeUndefined();
    expect(parseSender('nobody')).toBeUndefined();
  });
});
