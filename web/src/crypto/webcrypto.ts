/**
 * What the booth adds to the shared byte helpers (src/crypto/bytes.ts) to call WebCrypto: its error
 * type, BufferSource and key typing, and the async digests.
 */

/** A failure of browser crypto or of an encoding, with a stable code (its message never holds a secret). */
export class WebCryptoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebCryptoError';
  }
}

/**
 * The bytes as a BufferSource WebCrypto accepts under TypeScript's strict ArrayBuffer typing (a
 * view on a SharedArrayBuffer or with a generic buffer type is copied).
 */
export function bs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * A WebCrypto key, named through the global `crypto` so the same source type-checks under the DOM
 * library (the booth) and under Node's types (the tests), where CryptoKey is not a global name.
 */
export type WebKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bs(bytes)));
}

export async function sha384(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-384', bs(bytes)));
}
