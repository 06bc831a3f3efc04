import { describe, expect, it } from 'vitest';
import { formatCredentialUri, parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';

function credential(): Credential {
  return { electionId: 'city-council_2025', voterId: '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b', secretCode: issueSecretCode().secretCode, ...issueTokens() };
}

describe('credential URI', () => {
  it('formats the documented shape and parses back to exactly the credential', () => {
    const c = credential();
    const uri = formatCredentialUri(c);
    expect(uri).toBe(`evote:credential?v=1&e=${c.electionId}&id=${c.voterId}&code=${c.secretCode}&n1=${c.n1}&n2=${c.n2}`);
    expect(parseCredentialUri(uri)).toEqual({ ok: true, value: c });
  });

  it('accepts the parameters in any order', () => {
    const c = credential();
    const uri = `evote:credential?n2=${c.n2}&code=${c.secretCode}&id=${c.voterId}&v=1&n1=${c.n1}&e=${c.electionId}`;
    expect(parseCredentialUri(uri)).toEqual({ ok: true, value: c });
  });

  it('refuses anything malformed with INVALID_CREDENTIAL_URI and never echoes a secret', () => {
    const c = credential();
    const good = formatCredentialUri(c);
    const bad: unknown[] = [
      undefined,
      42,
      '',
      good.replace('evote:credential?', 'evote:credentials?'),
      good.replace('evote:', 'EVOTE:'),
      good.replace('v=1', 'v=2'),
      good.replace(/&n2=[^&]*/, ''),
      good + '&n2=' + c.n2,
      good + '&x=1',
      good + '&',
      good + '#frag',
      good.replace(`n1=${c.n1}`, `n1=${c.n1.slice(1)}`),
      good.replace(`n1=${c.n1}`, `n1${c.n1}`),
      good.replace(`code=${c.secretCode}`, `code=${c.secretCode.slice(0, 63)}%41`),
      good.replace(`code=${c.secretCode}`, `code=${c.secretCode}A`),
      good.replace(`id=${c.voterId}`, 'id=../../etc/passwd'),
      good.replace(`e=${c.electionId}`, 'e='),
      good.replace(`e=${c.electionId}`, `e=${'x'.repeat(65)}`),
      good + 'x'.repeat(600),
    ];
    for (const b of bad) {
      const r = parseCredentialUri(b);
      expect(r.ok, String(b)).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_CREDENTIAL_URI');
        for (const secret of [c.secretCode, c.n1, c.n2, c.n1.slice(1), c.secretCode.slice(0, 20)]) expect(r.error.message).not.toContain(secret);
      }
    }
  });

  it('formatting a malformed credential throws instead of minting a useless letter', () => {
    expect(() => formatCredentialUri({ ...credential(), n1: 'short' })).toThrow(RangeError);
    expect(() => formatCredentialUri({ ...credential(), voterId: 'a&b=c' })).toThrow(RangeError);
  });
});
