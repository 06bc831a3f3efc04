/** The N2 commitment against a value computed independently (Python's json and hashlib). */
import { describe, expect, it } from 'vitest';
import { isN2Commitment, n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';

describe('N2 commitment', () => {
  it('is SHA-256 of canonicalJson({n2, salt, type}), as Python computes it', () => {
    // python3: sha256(json.dumps({"type": ..., "n2": ..., "salt": ...}, sort_keys=True, separators=(",", ":")).encode())
    expect(n2Commitment('q83vEjRWeJq83vEjRWeJqw', 'AAECAwQFBgcICQoLDA0ODw')).toBe('7ddaf49d2ed93af55bf0795c74373f58c649306c94432769acb83e9e82846ef9');
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
