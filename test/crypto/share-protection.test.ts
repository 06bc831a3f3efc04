import { scryptSync, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptShare, encryptShare, type ProtectedShare } from '../../src/crypto/share-protection.ts';
import type { TrusteeShare } from '../../src/crypto/threshold-rsa.ts';

const share: TrusteeShare = { index: 2, s: 0x1d2c3b4a59687786950a1b2c3d4e5f60718293a4b5c6d7e8f9n };
const passphrase = 'correct horse battery staple';

async function seal(opts: { label?: string; logN?: number } = {}): Promise<ProtectedShare> {
  const sealed = await encryptShare(share, passphrase, { logN: 15, ...opts });
  if (!sealed.ok) throw new Error(sealed.error.code);
  return sealed.value;
}

function codeOf(r: { ok: boolean; error?: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error?.code;
}

describe('share protection: scrypt + AES-256-GCM', () => {
  it('round-trips through JSON text; the file shows index, label and KDF parameters, not the share', async () => {
    const blob = await seal({ label: 'election e1, trustee Alice' });
    const text = JSON.stringify(blob);
    expect(text).not.toContain(Buffer.from(share.s.toString(16), 'hex').toString('base64url').slice(0, 8));
    expect(blob).toMatchObject({ scheme: 'evote-protected-share/v1', index: 2, label: 'election e1, trustee Alice', kdf: { name: 'scrypt', logN: 15, r: 8, p: 1 } });
    expect(await decryptShare(JSON.parse(text), passphrase)).toEqual({ ok: true, value: share });
  });

  it('is plain scrypt then AES-256-GCM: node:crypto opens it by hand from the documented parameters', async () => {
    const blob = await seal();
    const key = scryptSync(passphrase, Buffer.from(blob.kdf.salt, 'base64url'), 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const sealed = Buffer.from(blob.sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(blob.nonce, 'base64url'));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const salt = Buffer.from(blob.kdf.salt, 'base64url');
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    decipher.setAAD(Buffer.concat([field(Buffer.from(blob.scheme)), field(Buffer.from([0, 0, 0, 2, 0, 0, 0, 15, 0, 8, 0, 1])), field(Buffer.alloc(0)), field(salt)]));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString();
    expect(JSON.parse(plain)).toEqual({ index: 2, s: Buffer.from(share.s.toString(16).padStart(50, '0'), 'hex').toString('base64url') });
  });

  it('a wrong passphrase, an altered label, index, salt or body give WRONG_PASSPHRASE or a parse error, never the share', async () => {
    const blob = await seal({ label: 'e1' });
    const wrong = await decryptShare(blob, passphrase + '!');
    expect(wrong).toEqual({ ok: false, error: { kind: 'CryptoError', code: 'WRONG_PASSPHRASE', message: 'the share does not open with this passphrase (or the file was altered)' } });
    expect(codeOf(await decryptShare({ ...blob, label: 'e2' }, passphrase))).toBe('WRONG_PASSPHRASE');
    expect(codeOf(await decryptShare({ ...blob, index: 3 }, passphrase))).toBe('WRONG_PASSPHRASE');
    const body = Buffer.from(blob.sealed, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    expect(codeOf(await decryptShare({ ...blob, sealed: body.toString('base64url') }, passphrase))).toBe('WRONG_PASSPHRASE');
    expect(codeOf(await decryptShare({ ...blob, kdf: { ...blob.kdf, logN: 16 } }, passphrase))).toBe('WRONG_PASSPHRASE');
  });

  it('refuses malformed files and unaccepted KDF parameters before running scrypt', async () => {
    const blob = await seal();
    const cases: unknown[] = [null, 'x', { ...blob, scheme: 'v0' }, { ...blob, index: 0 }, { ...blob, label: 1 }, { ...blob, kdf: { ...blob.kdf, logN: 30 } }, { ...blob, kdf: { ...blob.kdf, r: 1 } }, { ...blob, nonce: 'AA' }, { ...blob, sealed: '' }, { ...blob, kdf: null }];
    for (const value of cases) expect(codeOf(await decryptShare(value, passphrase))).toBe('MALFORMED_THRESHOLD_DATA');
  });

  it('refuses a passphrase under 12 characters (counted after NFC) with WEAK_PASSPHRASE', async () => {
    expect(codeOf(await encryptShare(share, 'short pass', { logN: 15 }))).toBe('WEAK_PASSPHRASE');
    expect(codeOf(await encryptShare(share, 'e\u0301'.repeat(11), { logN: 15 }))).toBe('WEAK_PASSPHRASE');
  });

  it('normalises the passphrase to NFC: the decomposed spelling opens what the composed one sealed', async () => {
    const sealed = await encryptShare(share, 'caf\u00e9 au lait, s\u00e9same', { logN: 15 });
    if (!sealed.ok) throw new Error(sealed.error.code);
    expect(await decryptShare(sealed.value, 'cafe\u0301 au lait, se\u0301same')).toEqual({ ok: true, value: share });
  });
});
