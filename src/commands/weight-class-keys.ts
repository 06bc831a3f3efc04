/**
 * A weighted election's authority keys, one per weight class (docs/methods.md "Weighted voters"):
 * offered with putIfAbsent and read back, like the other election keys, so concurrent creates agree.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { keyNames, type KeyStore } from '../keystore/port.ts';
import type { WeightClass } from '../domain/weight-classes.ts';
import { privateKeyFromPkcs8, rsaSpkiBase64url, type RsaBits } from './election-keys.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The classes with the public half of each stored key, by weight; missing keys are generated first. */
export async function ensureWeightClassKeys(keyStore: KeyStore, electionId: string, weights: readonly number[], bits: RsaBits): Promise<WeightClass[]> {
  const names = weights.map((w) => keyNames.authorityClass(electionId, w));
  const have = await keyStore.getMany(names);
  await Promise.all(
    names
      .filter((name) => !have.has(name))
      .map(async (name) => {
        const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
        const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
        await keyStore.putIfAbsent(name, der);
        der.fill(0);
      }),
  );
  const stored = await keyStore.getMany(names);
  return weights
    .map((weight, i) => {
      const der = stored.get(names[i] as string);
      if (!der) throw new Error(`the weight-class key ${weight} of election ${electionId} vanished right after it was stored`);
      return { weight, authorityPublicKey: rsaSpkiBase64url(privateKeyFromPkcs8(der)) };
    })
    .sort((a, b) => a.weight - b.weight);
}
