/**
 * The key store port: names are not secret and may be logged; values never leave an adapter except
 * through `get`/`getMany` (docs/credentials.md).
 */
export interface KeyStoreEntry {
  name: string;
  secret: Uint8Array;
}

export interface KeyStore {
  put(name: string, secret: Uint8Array): Promise<void>;
  /** Stores only when `name` is absent; true when this call stored it (several processes agree on one key). */
  putIfAbsent(name: string, secret: Uint8Array): Promise<boolean>;
  /** All or nothing; a repeated name: the last one wins. */
  putMany(entries: readonly KeyStoreEntry[]): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
  getMany(names: readonly string[]): Promise<Map<string, Uint8Array>>;
  delete(name: string): Promise<boolean>;
  deletePrefix(prefix: string): Promise<number>;
}

/** Key store failures that are not the caller's input: a wrong master key, a tampered row. */
export type KeyStoreErrorCode =
  | 'MASTER_KEY_MISMATCH'
  /** A stored entry failed authentication (tampered, or moved from another name). */
  | 'KEYSTORE_INTEGRITY'
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

export const keyNames = {
  authority: (electionId: string) => `election/${electionId}/authority`,
  /** A weighted election's authority key for one weight class (docs/methods.md "Weighted voters"). */
  authorityClass: (electionId: string, weight: number) => `election/${electionId}/authority/w${weight}`,
  counter: (electionId: string) => `election/${electionId}/counter`,
  log: (electionId: string) => `election/${electionId}/log`,
  pii: (electionId: string) => `election/${electionId}/pii`,
  credential: (electionId: string, voterId: string) => `credential/${electionId}/${voterId}`,
  credentialPrefix: (electionId: string) => `credential/${electionId}/`,
  client: (clientId: string) => `client/${clientId}`,
};
