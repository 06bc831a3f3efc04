import type { EvoteConnection } from '../../src/client/connection.ts';
import type { ClientApp } from '../../src/client/client-login.ts';
import { deriveSessionKey, sessionProof } from '../../src/auth/session-key.ts';
import { fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../../src/crypto/x25519.ts';

/** Level 3 by hand (`auth.level3.begin`), returning the `auth.level3.prove` payload so a test can send, replay or tamper with it. */
export async function level3(conn: EvoteConnection, v: { voterId: string }, client: ClientApp): Promise<{ sessionId: string; proof: string }> {
  const own = generateX25519KeyPair();
  const ch = await conn.request<{ serverPublicKey: string; nonce: string; sessionId: string }>('command', 'auth.level3.begin', {
    clientPublicKey: toBase64url(own.publicKey),
  });
  const secret = x25519SharedSecret(own.privateKey, fromBase64url(ch.serverPublicKey)!);
  if (!secret.ok) throw new Error('bad server key');
  const key = deriveSessionKey(secret.value, fromBase64url(ch.nonce)!, v.voterId, client.clientId);
  return { sessionId: ch.sessionId, proof: toBase64url(sessionProof(key, v.voterId)) };
}
