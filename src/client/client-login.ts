/** The client side of the three-level login: levels 1, 2 and the first half of 3 travel in one `auth.begin`. */
import type { EvoteConnection } from './connection.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { generateX25519KeyPair, x25519SharedSecret, type X25519KeyPair } from '../crypto/x25519.ts';
import { clientProof, deriveSessionKey, sessionProof } from '../auth/session-key.ts';
import type { TokenPair } from '../auth/token-service.ts';

export interface VoterCredential {
  electionId: string;
  voterId: string;
  secretCode: string;
}

export interface ClientApp {
  clientId: string;
  /** base64url of the 32-byte key `clients.register` returned. */
  clientKey: string;
}

export class ClientLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientLoginError';
  }
}

/** The raw bytes of a base64url value, or a ClientLoginError naming the field (never the value). */
function decode(field: string, text: string): Uint8Array {
  const bytes = fromBase64url(text);
  if (!bytes) throw new ClientLoginError(`${field} is not base64url`);
  return bytes;
}

/** Level 2's MAC for a voter: base64url HMAC-SHA256(clientKey, voterId). */
export function clientMac(clientKey: string, voterId: string): string {
  return toBase64url(clientProof(decode('clientKey', clientKey), voterId));
}

/** Options of loginVoter; refusals reject with the server's EvoteError. */
export interface LoginOptions {
  /** The client's X25519 pair for level 3 (fresh by default); use a pair for one login only. */
  keyPair?: X25519KeyPair;
}

export async function loginVoter(conn: EvoteConnection, cred: VoterCredential, client: ClientApp, opts: LoginOptions = {}): Promise<TokenPair> {
  const own = opts.keyPair ?? generateX25519KeyPair();
  const challenge = await conn.request<{ serverPublicKey: string; nonce: string; sessionId: string }>('command', 'auth.begin', {
    electionId: cred.electionId,
    voterId: cred.voterId,
    secretCode: cred.secretCode,
    clientId: client.clientId,
    mac: clientMac(client.clientKey, cred.voterId),
    clientPublicKey: toBase64url(own.publicKey),
  });
  const secret = x25519SharedSecret(own.privateKey, decode('serverPublicKey', challenge.serverPublicKey));
  if (!secret.ok) throw new ClientLoginError(`the server's public key is not acceptable (${secret.error.code})`);
  const sharedKey = deriveSessionKey(secret.value, decode('nonce', challenge.nonce), cred.voterId, client.clientId);
  const proof = toBase64url(sessionProof(sharedKey, cred.voterId));
  return conn.request<TokenPair>('command', 'auth.level3.prove', { sessionId: challenge.sessionId, proof });
}
