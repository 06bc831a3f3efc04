/**
 * Former home of the JWK-converting X25519 helpers; src/crypto/x25519.ts now converts through JWK
 * itself (see the note there). These names stay as aliases for existing callers and tests.
 */
export {
  generateX25519KeyPair as generateX25519KeyPairJwk,
  x25519PublicKeyFromRaw as x25519PublicKeyFromRawJwk,
  x25519RawPublicKey as x25519RawPublicKeyJwk,
  x25519SharedSecret as x25519SharedSecretJwk,
} from '../crypto/x25519.ts';
