/** The N2 commitment against an independent computation (Python's hashlib over the same canonical JSON). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isN2Commitment, n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';

describe('N2 commitment', () => {
  it('is SHA-256 of canonicalJson({n2, salt, type}), as Python computes it', () => {
    const n2 = 'q83vEjRWeJq83vEjRWeJqw';
    const salt = 'AAECAwQFBgcICQoLDA0ODw';
    const python = execFileSync('python3', [
      '-c',
      'import hashlib,json,sys; print(hashlib.sha256(json.dumps({"type":"evote/n2-commitment/v1","n2":sys.argv[1],"salt":sys.argv[2]},sort_keys=True,separators=(",",":")).encode()).hexdigest())',
      n2,
      salt,
    ]).toString().trim();
    expect(n2Commitment(n2, salt)).toBe(python);
  });

  it('needs both halves: another salt or another N2 gives another commitment', () => {
    const salt = newN2Salt();
    expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const c = n2Commitment('n2', salt);
    expect(isN2Commitment(c)).toBe(true);
    expect(n2Commitment('n2', newN2Salt())).not.toBe(c);
    expect(n2Commitment('n3', salt)).not.toBe(c);
  });
});
