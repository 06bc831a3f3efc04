/**
 * The client side of RFC 9474 RSABSSA-SHA384-PSS-Randomized in the browser: the steps of
 * src/crypto/blind-rsa-core.ts driven by WebCrypto's SHA-384, and the check by WebCrypto's RSA-PSS.
 */
import { blindSteps, unblind, RSABSSA_SALT_BYTES, type BlindingResult, type BlindRandomness } from '../../../src/crypto/blind-rsa-core.ts';
import { bytesToBigInt } from '../../../src/crypto/bytes.ts';
import { runHashStepsAsync } from '../../../src/crypto/emsa-pss-core.ts';
import { rsaRawPublic, type RsaPublicKey } from './rsa.ts';
import { bs, sha384, WebCryptoError } from './webcrypto.ts';

export { prepare, type BlindingResult, type BlindRandomness } from '../../../src/crypto/blind-rsa-core.ts';

/** RFC 9474 §4.2. Throws WebCryptoError('BLINDING_FAILED') in the cases the RFC calls errors. */
export async function blind(key: RsaPublicKey, preparedMessage: Uint8Array, randomness: BlindRandomness = {}): Promise<BlindingResult> {
  const blinding = { numbers: key, rawPublic: (x: Uint8Array) => rsaRawPublic(key, bytesToBigInt(x)) };
  const result = await runHashStepsAsync(blindSteps(blinding, preparedMessage, randomness), sha384);
  if (!result.ok) throw new WebCryptoError('BLINDING_FAILED', result.error.message);
  return result.value;
}

/** RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and a 48-byte salt, by WebCrypto. */
export async function verify(key: RsaPublicKey, preparedMessage: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: RSABSSA_SALT_BYTES }, key.pssVerifyKey, bs(signature), bs(preparedMessage));
  } catch {
    return false;
  }
}

/**
 * RFC 9474 §4.4: unblind and verify. A signature that does not verify is refused
 * (WebCryptoError('INVALID_SIGNATURE')), never returned: it would be encrypted and cast for nothing.
 */
export async function finalize(key: RsaPublicKey, preparedMessage: Uint8Array, blindSignature: Uint8Array, inv: Uint8Array): Promise<Uint8Array> {
  const signature = unblind(key, blindSignature, inv);
  if (!signature.ok) throw new WebCryptoError('INVALID_SIGNATURE', signature.error.message);
  if (!(await verify(key, preparedMessage, signature.value))) throw new WebCryptoError('INVALID_SIGNATURE', 'the unblinded signature does not verify');
  return signature.value;
}
