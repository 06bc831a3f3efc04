import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { KeyStore } from './port.ts';

/** One parsed private key per election, bounded (parsing PKCS#8 costs more than a signature); failures are not cached. */
export function createPrivateKeyCache(
  keyStore: KeyStore,
  nameOf: (electionId: string) => string,
  missing: (electionId: string) => Error,
  capacity = 64,
): (electionId: string) => Promise<KeyObject> {
  const keys = new Map<string, Promise<KeyObject>>();
  return (electionId) => {
    let key = keys.get(electionId);
    if (!key) {
      key = keyStore.get(nameOf(electionId)).then((der) => {
        if (!der) throw missing(electionId);
        return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
      });
      key.catch(() => keys.delete(electionId));
      keys.set(electionId, key);
      if (keys.size > capacity) keys.delete(keys.keys().next().value as string);
    }
    return key;
  };
}
