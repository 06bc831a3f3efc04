/**
 * The credential URI, `evote:credential?v=1&e=…&id=…&code=…&n1=…&n2=…` (docs/credentials.md). The
 * parser is strict so one credential has one spelling; errors name the field, never its value.
 */
import { isSecretCode, isToken } from './credential-fields.ts';

export const CREDENTIAL_URI_PREFIX = 'evote:credential?';
export const CREDENTIAL_URI_VERSION = '1';
/** Far above any valid URI (about 250 characters): refuse before doing any work on huge input. */
export const MAX_CREDENTIAL_URI_LENGTH = 512;

export interface Credential {
  electionId: string;
  voterId: string;
  secretCode: string;
  n1: string;
  n2: string;
}

export interface CredentialError {
  readonly kind: 'CredentialError';
  readonly code: 'INVALID_CREDENTIAL_URI';
  readonly message: string;
}

export type CredentialUriResult = { ok: true; value: Credential } | { ok: false; error: CredentialError };

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KEYS = ['v', 'e', 'id', 'code', 'n1', 'n2'] as const;
type Key = (typeof KEYS)[number];

const invalid = (message: string): CredentialUriResult => ({ ok: false, error: { kind: 'CredentialError', code: 'INVALID_CREDENTIAL_URI', message } });

/** Which field of a credential is malformed, or undefined when all are well-formed. */
function firstBadField(c: Credential): string | undefined {
  if (!ID_RE.test(c.electionId)) return 'election id (e)';
  if (!ID_RE.test(c.voterId)) return 'voter id (id)';
  if (!isSecretCode(c.secretCode)) return 'secret code (code)';
  if (!isToken(c.n1)) return 'N1 (n1)';
  if (!isToken(c.n2)) return 'N2 (n2)';
  return undefined;
}

/** Throws RangeError on a malformed credential: issuing one would mail the voter a useless letter. */
export function formatCredentialUri(c: Credential): string {
  const bad = firstBadField(c);
  if (bad) throw new RangeError(`cannot format a credential URI: malformed ${bad}`);
  return `${CREDENTIAL_URI_PREFIX}v=${CREDENTIAL_URI_VERSION}&e=${c.electionId}&id=${c.voterId}&code=${c.secretCode}&n1=${c.n1}&n2=${c.n2}`;
}

export function parseCredentialUri(uri: unknown): CredentialUriResult {
  if (typeof uri !== 'string') return invalid('a credential URI must be a string');
  if (uri.length > MAX_CREDENTIAL_URI_LENGTH) return invalid(`a credential URI is at most ${MAX_CREDENTIAL_URI_LENGTH} characters`);
  if (!uri.startsWith(CREDENTIAL_URI_PREFIX)) return invalid(`a credential URI starts with '${CREDENTIAL_URI_PREFIX}'`);
  const query = uri.slice(CREDENTIAL_URI_PREFIX.length);
  const values = new Map<Key, string>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    // Unknown names are not echoed: a garbled pair may well be part of a secret.
    if (eq < 0) return invalid('a parameter has no value');
    if (!(KEYS as readonly string[]).includes(key)) return invalid(`unknown parameter (expected ${KEYS.join(', ')})`);
    if (values.has(key as Key)) return invalid(`parameter '${key}' is repeated`);
    values.set(key as Key, pair.slice(eq + 1));
  }
  for (const key of KEYS) if (!values.has(key)) return invalid(`parameter '${key}' is missing`);
  if (values.get('v') !== CREDENTIAL_URI_VERSION) return invalid(`unsupported credential URI version (this client reads v=${CREDENTIAL_URI_VERSION})`);
  const credential: Credential = {
    electionId: values.get('e') as string,
    voterId: values.get('id') as string,
    secretCode: values.get('code') as string,
    n1: values.get('n1') as string,
    n2: values.get('n2') as string,
  };
  const bad = firstBadField(credential);
  return bad ? invalid(`malformed ${bad}`) : { ok: true, value: credential };
}
