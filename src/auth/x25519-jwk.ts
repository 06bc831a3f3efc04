/** Aliases kept for existing callers and tests; src/crypto/x25519.ts converts through JWK itself. */
export {
  generateX25519KeyPair as generateX25519KeyPairJwk,
  x25519PublicKeyFromRaw as x25519PublicKeyFromRawJwk,
  x25519RawPublicKey as x25519RawPublicKeyJwk,
  x25519SharedSecret as x25519SharedSecretJwk,
} from '../crypto/x25519.ts';
