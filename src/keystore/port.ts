/**
 * The key store port: where secret material lives (authority and counter private keys, secret
 * codes, per-election PII keys). Names are not secret and may appear in logs; values are secret
 * and never leave an adapter except through `get`/`getMany`.
 *
 * Default adapter: a SQL table encrypted under a master key (sql-key-store.ts). The production
 * adapter to plan for is HashiCorp Vault (KV v2: `putIfAbsent` is a check-and-set write with cas=0).
 */
export interface KeyStoreEntry {
  name: string;
  secret: Uint8Array;
}

export interface KeyStore {
  /** Stores `secret` under `name`, replacing any previous value. */
  put(name: string, secret: Uint8Array): Promise<void>;
  /**
   * Stores only when `name` is absent; true when this call stored it. Lets several processes agree
   * on one generated key (e.g. a PII key) without a lost update.
   */
  putIfAbsent(name: string, secret: Uint8Array): Promise<boolean>;
  /** Many entries, all or nothing, in batched multi-row writes. A repeated name: the last one wins. */
  putMany(entries: readonly KeyStoreEntry[]): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
  /** Present names only: an absent name is simply missing from the map. */
  getMany(names: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** True when an entry was deleted. */
  delete(name: string): Promise<boolean>;
  /** Deletes every entry whose name starts with `prefix` (non-empty); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
}

/** Key store failures that are not the caller's input: a wrong master key, a tampered row. */
export type KeyStoreErrorCode =
  /** The configured master key is not the one the store was created with. */
  | 'MASTER_KEY_MISMATCH'
  /** A stored entry failed authentication (tampered, or moved from another name). */
  | 'KEYSTORE_INTEGRITY'
  /** EVOTE_MASTER_KEY (or the master-key file) is not base64/base64url of 32 bytes, or is required but absent. */
  | 'INVALID_MASTER_KEY';

export class KeyStoreError extends Error {
  constructor(
    readonly code: KeyStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

export const MAX_KEY_NAME_LENGTH = 512;

/** Names are 1..512 characters without control characters (they end up in logs and file names). */
export function assertKeyName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_KEY_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new RangeError(`a key name is 1..${MAX_KEY_NAME_LENGTH} characters without control characters`);
  }
}

/** Conventional names, so every component agrees on where a secret lives. */
export const keyNames = {
  authority: (electionId: string) => `election/${electionId}/authority`,
  counter: (electionId: string) => `election/${electionId}/counter`,
  /** The transparency log's Ed25519 signing key (PKCS#8 DER). */
  log: (electionId: string) => `election/${electionId}/log`,
  pii: (electionId: string) => `election/${electionId}/pii`,
  credential: (electionId: string, voterId: string) => `credential/${electionId}/${voterId}`,
  /** Prefix of every credential of one election (for deletePrefix after the election). */
  credentialPrefix: (electionId: string) => `credential/${electionId}/`,
  /** A client application's HMAC key (level 2 of voter authentication); deleted when the client is revoked. */
  client: (clientId: string) => `client/${clientId}`,
};
