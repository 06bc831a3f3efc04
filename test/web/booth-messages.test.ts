/** The booth's words: English and French say the same things, and every code a voter can meet has its own sentence. */
import { describe, expect, it } from 'vitest';
import { errorKey, MESSAGES } from '../../web/src/booth/messages.ts';

/** Codes the booth can show: the server's (docs/auth.md, docs/ballots.md, the gateway), the connection's, the engine's and the pages' own. */
const VOTER_CODES = [
  'INVALID_LETTER', 'NO_QR', 'UNSUPPORTED_FILE', 'INVALID_CREDENTIAL_URI', 'INVALID_CREDENTIALS', 'UNKNOWN_CREDENTIAL', 'INVALID_CLIENT_PROOF',
  'AUTH_SEQUENCE', 'INVALID_PUBLIC_KEY', 'SESSION_EXPIRED', 'SESSION_ALREADY_USED', 'INVALID_SESSION_PROOF', 'UNAUTHENTICATED', 'TOKEN_EXPIRED', 'FORBIDDEN',
  'ALREADY_SIGNED', 'ALREADY_CAST', 'VOTING_CLOSED', 'WRONG_STATE', 'NOT_STARTED', 'ENDED', 'ELECTION_NOT_FOUND', 'WRONG_ELECTION',
  'RATE_LIMITED', 'SHUTTING_DOWN', 'CONCURRENCY_CONFLICT', 'INTERNAL', 'UNREACHABLE', 'CONNECTION_CLOSED', 'TIMEOUT',
  'RECEIPT_MISMATCH', 'RECEIPT_UNSIGNED', 'CAMERA_DENIED', 'CAMERA_UNAVAILABLE', 'INVALID_RECEIPT', 'BALLOT_NOT_FOUND', 'INVALID_BALLOT',
  'ELECTION_KEYS_MISSING', 'ELECTION_CHANGED', 'WEIGHT_CLASS_UNKNOWN', 'BOOTH_APP_INVALID', 'INVALID_CHOICE', 'INVALID_SIGNATURE', 'INVALID_KEY', 'UNSUPPORTED_BROWSER',
];

describe("the booth's messages", () => {
  it('has the same keys in English and French, none empty, with the same placeholders', () => {
    expect(Object.keys(MESSAGES.fr).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    for (const [key, text] of Object.entries(MESSAGES.en)) {
      const fr = MESSAGES.fr[key]!;
      expect(text.trim(), key).not.toBe('');
      expect(fr.trim(), key).not.toBe('');
      expect([...fr.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(), key).toEqual([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
  });

  it('gives every code a voter can meet its own sentence, and anything else the generic one', () => {
    for (const code of VOTER_CODES) expect(errorKey(code), code).not.toBe('err.UNKNOWN');
    expect(errorKey('SOMETHING_NEW')).toBe('err.UNKNOWN');
    expect(MESSAGES.en[errorKey('RATE_LIMITED')]).toContain('{seconds}');
  });
});
