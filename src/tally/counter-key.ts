/**
 * The keys a tally needs; the counter's private key must be the one whose public half the election
 * published, or every ballot would read as undecryptable.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Result } from '../domain/errors.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { domainError } from '../domain/errors.ts';
import { keyNames, type KeyStore } from '../keystore/port.ts';
import type { ElectionFacts } from './election-facts.ts';

export interface TallyKeys {
  counterPrivateKeyPkcs8: Uint8Array;
  authorityPublicKeySpki: Uint8Array;
}

const unavailable = (message: string) => ({ ok: false as const, error: domainError('COUNTER_KEY_UNAVAILABLE', message) });

export async function loadTallyKeys(keyStore: KeyStore, facts: ElectionFacts): Promise<Result<TallyKeys>> {
  const authority = facts.authorityPublicKey === undefined ? undefined : fromBase64url(facts.authorityPublicKey);
  if (!authority || facts.ballotPublicKey === undefined) return unavailable('the election published no authority or ballot public key');
  const pkcs8 = await keyStore.get(keyNames.counter(facts.electionId));
  if (!pkcs8) return unavailable("the counter's private key is not in the key store");
  try {
    const publicHalf = createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
    const spki = toBase64url(new Uint8Array(publicHalf.export({ format: 'der', type: 'spki' })));
    if (spki !== facts.ballotPublicKey) return unavailable("the counter's private key does not match the election's ballot key");
    createPublicKey({ key: Buffer.from(authority), format: 'der', type: 'spki' });
  } catch {
    return unavailable('a stored or published election key does not parse');
  }
  return { ok: true, value: { counterPrivateKeyPkcs8: pkcs8, authorityPublicKeySpki: authority } };
}
