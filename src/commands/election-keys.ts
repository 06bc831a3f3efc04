/**
 * The election's key pairs (docs/credentials.md "Election keys (set-up)"): authority, log and, unless
 * trustees hold it (docs/trustees.md), counter. Race-free and idempotent:
 * offered with putIfAbsent, public halves derived from what is stored, stored BEFORE the event.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { ElectionPublicKeys } from '../domain/election-commands.ts';
import { toBase64url } from '../crypto/bytes.ts';
import { keyNames, type KeyStore } from '../keystore/port.ts';
import { getOrCreatePiiKey } from '../keystore/pii.ts';

export type RsaBits = 2048 | 3072;
export const DEFAULT_RSA_BITS: RsaBits = 2048;

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh 'rsa' PKCS#8 key on libuv's thread pool: seconds for a large key must not stall the event loop. */
async function newRsaPkcs8(bits: RsaBits): Promise<Uint8Array> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
}

async function newEd25519Pkcs8(): Promise<Uint8Array> {
  const { privateKey } = await generateKeyPairAsync('ed25519');
  return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
}

export function privateKeyFromPkcs8(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

export function rsaSpkiBase64url(privateKey: KeyObject): string {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new TypeError('expected an RSA key');
  return toBase64url(new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })));
}

/** base64url of the raw 32-byte Ed25519 public key (the JWK `x`). */
export function ed25519RawBase64url(privateKey: KeyObject): string {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('expected an Ed25519 key');
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (typeof x !== 'string' || x.length !== 43) throw new TypeError('Ed25519 public key export has no 32-byte x');
  return x;
}

/**
 * The public halves of an election's stored keys, or undefined when any private half is missing. A
 * trustee election (`ballotPublicKey` given, from the ceremony) has no counter key on the server.
 */
export async function loadElectionPublicKeys(keyStore: KeyStore, electionId: string, ballotPublicKey?: string): Promise<ElectionPublicKeys | undefined> {
  const names = storedKeyNames(electionId, ballotPublicKey);
  const found = await keyStore.getMany(names);
  const [authority, log, counter] = names.map((n) => found.get(n));
  if (!authority || !log || (ballotPublicKey === undefined && !counter)) return undefined;
  return {
    authorityPublicKey: rsaSpkiBase64url(privateKeyFromPkcs8(authority)),
    ballotPublicKey: ballotPublicKey ?? rsaSpkiBase64url(privateKeyFromPkcs8(counter as Uint8Array)),
    logPublicKey: ed25519RawBase64url(privateKeyFromPkcs8(log)),
  };
}

const storedKeyNames = (electionId: string, ballotPublicKey: string | undefined) =>
  ballotPublicKey === undefined ? [keyNames.authority(electionId), keyNames.log(electionId), keyNames.counter(electionId)] : [keyNames.authority(electionId), keyNames.log(electionId)];

/** Generates only the missing private keys (and PII key); returns the public halves of what is stored. */
export async function ensureElectionKeys(keyStore: KeyStore, electionId: string, bits: RsaBits = DEFAULT_RSA_BITS, ballotPublicKey?: string): Promise<ElectionPublicKeys> {
  const existing = await loadElectionPublicKeys(keyStore, electionId, ballotPublicKey);
  if (!existing) {
    const names = storedKeyNames(electionId, ballotPublicKey);
    const have = await keyStore.getMany(names);
    const offer = async (name: string, make: () => Promise<Uint8Array>) => {
      if (have.has(name)) return;
      const der = await make();
      await keyStore.putIfAbsent(name, der);
      der.fill(0);
    };
    await Promise.all(names.map((name) => offer(name, name === keyNames.log(electionId) ? newEd25519Pkcs8 : () => newRsaPkcs8(bits))));
  }
  await getOrCreatePiiKey(keyStore, electionId);
  const keys = existing ?? (await loadElectionPublicKeys(keyStore, electionId, ballotPublicKey));
  if (!keys) throw new Error(`the keys of election ${electionId} vanished right after they were stored`);
  return keys;
}
