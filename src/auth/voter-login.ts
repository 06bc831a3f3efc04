/**
 * The three-level voter login, server side (docs/auth.md). Progress is per connection; a failure at
 * level 2 or 3 sends it back to level 1, the rate-limited step. Refusals never say which part was wrong.
 */
import { randomBytes } from 'node:crypto';
import { pooledRandomBytes } from '../crypto/random-pool.ts';
import type { Result } from '../domain/errors.ts';
import type { VoterAuthenticator, VoterPrincipal } from './voter-authenticator.ts';
import type { Logger } from '../runtime/log.ts';
import type { Counter } from '../runtime/metrics.ts';
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';
import { domainError, type DomainErrorCode } from '../domain/errors.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { verifyHmacSha256 } from '../crypto/hmac.ts';
import { inlineX25519Agreement, type X25519Agreement } from './x25519-agreement.ts';
import { issueSecretCode, verifySecretCode } from '../credentials/secret-code.ts';
import type { AuthSettings } from './auth-settings.ts';
import { batchedKeyReads } from './batched-key-reads.ts';
import type { ClientKeys } from './client-keys.ts';
import type { ElectionStatusReader } from './election-status.ts';
import type { AttemptOrigin, RateLimiter } from './rate-limiter.ts';
import { deriveSessionKey, SESSION_KEY_BYTES, SESSION_NONCE_BYTES } from './session-key.ts';
import { hashForKey, type SessionStore } from './session-store.ts';
import type { TokenPair, TokenService } from './token-service.ts';

/** The gateway's per-connection context, structurally (src/gateway/message-handlers.ts, ws-protocol.ts). */
export type LoginConnection = AttemptOrigin;

export const AUTH_STATE_KEY = 'auth';
const L3_BEGINS_KEY = 'auth.l3Begins';
/** Level-3 begins per connection (an expired session key is begun again; a handful is plenty). */
export const MAX_LEVEL3_BEGINS = 8;

export type LoginProgress =
  | { step: 'L1'; electionId: string; voterId: string }
  | { step: 'L2'; electionId: string; voterId: string; clientId: string }
  | {
      step: 'L3';
      electionId: string;
      voterId: string;
      clientId: string;
      /** The session this connection began last: its id and the shared key, also kept in the store. */
      session?: { id: string; key: Uint8Array };
    }
  | { step: 'DONE'; electionId: string; voterId: string; clientId: string };

/** sessionId = 22 random base64url characters ‖ '.' ‖ expiry (ms, base 36); the expiry grants nothing. */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9_-]{22}\\.[0-9a-z]{1,12}$';
/** 16 random bytes: the 22 base64url characters before the dot. */
const SESSION_ID_RANDOM_BYTES = 16;

export interface Level3Challenge {
  serverPublicKey: string;
  nonce: string;
  sessionId: string;
}

export interface VoterLogin {
  level1(conn: LoginConnection, input: { electionId: string; voterId: string; secretCode: string }): Promise<Result<{ level: 1 }>>;
  level2(conn: LoginConnection, input: { clientId: string; mac: string }): Promise<Result<{ level: 2 }>>;
  beginLevel3(conn: LoginConnection, input: { clientPublicKey: string }): Promise<Result<Level3Challenge>>;
  proveLevel3(conn: LoginConnection, input: { sessionId: string; proof: string }): Promise<Result<TokenPair>>;
  /** Levels 1, 2 and the first half of level 3 in one request, each checked as its own message would be. */
  begin(
    conn: LoginConnection,
    input: { electionId: string; voterId: string; secretCode: string; clientId: string; mac: string; clientPublicKey: string },
  ): Promise<Result<Level3Challenge>>;
}

export interface VoterLoginDeps {
  store: SessionStore;
  keyStore: KeyStore;
  elections: ElectionStatusReader;
  clientKeys: ClientKeys;
  tokens: TokenService;
  limiter: RateLimiter;
  settings: Pick<AuthSettings, 'sessionKeyTtlMs'>;
  now: () => number;
  /** evote_auth_attempts_total{level, outcome}. */
  attempts: Counter;
  log: Logger;
  /** The server's half of the level-3 agreement, a fresh key pair each (default: on this thread). */
  x25519?: X25519Agreement;
}

interface SessionRecord {
  e: string;
  v: string;
  c: string;
  k: string;
}

export function createVoterLogin(deps: VoterLoginDeps): VoterLogin {
  const { store, limiter, attempts } = deps;
  const x25519 = deps.x25519 ?? inlineX25519Agreement;
  const credentials = batchedKeyReads(deps.keyStore);
  // Checked against when a voter has no stored credential, so an unknown voter costs the same
  // AES-GCM decryption as a known one (no fast path to time).
  const decoyCredential = issueSecretCode().stored;
  const decoyClientKey = new Uint8Array(randomBytes(32));

  const progress = (conn: LoginConnection) => conn.state.get(AUTH_STATE_KEY) as LoginProgress | undefined;
  const setProgress = (conn: LoginConnection, p: LoginProgress | undefined) => {
    if (p) conn.state.set(AUTH_STATE_KEY, p);
    else conn.state.delete(AUTH_STATE_KEY);
  };

  const refuse = (level: string, code: DomainErrorCode, message: string, details?: Record<string, unknown>): Result<never> => {
    attempts.inc({ level, outcome: code.toLowerCase() });
    return { ok: false, error: domainError(code, message, details) };
  };
  const accept = <T>(level: string, value: T): Result<T> => {
    attempts.inc({ level, outcome: 'ok' });
    return { ok: true, value };
  };
  const outOfSequence = (level: string, needed: string) =>
    refuse(level, 'AUTH_SEQUENCE', `complete ${needed} on this connection first`);

  /** A level-2/3 failure: counted, and the connection starts over at level 1. */
  const failLater = async (conn: LoginConnection, p: LoginProgress, level: string, code: DomainErrorCode, message: string) => {
    setProgress(conn, undefined);
    await limiter.recordFailure(conn);
    return refuse(level, code, message);
  };

  /** The session's store entry is gone: expired (begin level 3 again) or already spent (log in again). */
  const sessionGone = (conn: LoginConnection, p: LoginProgress & { step: 'L3' }, sessionId: string) => {
    const expiresAt = parseInt(sessionId.slice(sessionId.indexOf('.') + 1), 36);
    if (Number.isFinite(expiresAt) && deps.now() >= expiresAt) {
      // Not an attack: the client was slow. It may begin level 3 again without redoing 1 and 2.
      setProgress(conn, { step: 'L2', electionId: p.electionId, voterId: p.voterId, clientId: p.clientId });
      return refuse('l3_prove', 'SESSION_EXPIRED', 'the session key expired; begin level 3 again');
    }
    return failLater(conn, p, 'l3_prove', 'SESSION_ALREADY_USED', 'this session key was already used; log in again');
  };

  const login: VoterLogin = {
    async level1(conn, { electionId, voterId, secretCode }) {
      // A new level 1 restarts the login on this connection, whatever came before.
      setProgress(conn, undefined);
      const status = await deps.elections.get(electionId);
      if (status === undefined) return refuse('l1', 'ELECTION_NOT_FOUND', `election ${electionId} not found`);
      if (status !== 'VOTE_STARTED') return refuse('l1', 'WRONG_STATE', `voters log in only while voting is open (the election is ${status})`);

      const admission = await limiter.admit(conn);
      if (!admission.ok) {
        return refuse('l1', 'RATE_LIMITED', 'too many login attempts from this connection or address; wait before trying again', {
          retryAfterMs: admission.retryAfterMs,
        });
      }
      let failed = false;
      try {
        const stored = await credentials.get(keyNames.credential(electionId, voterId));
        // Both operands are evaluated: the decoy comparison runs when the voter has no credential.
        failed = !verifySecretCode(stored ?? decoyCredential, secretCode) || !stored;
      } finally {
        // Only a wrong code counts; a store error is no evidence against the source.
        await admission.done(failed);
      }
      if (failed) return refuse('l1', 'INVALID_CREDENTIALS', 'the voter id and secret code do not match a credential of this election');
      setProgress(conn, { step: 'L1', electionId, voterId });
      return accept('l1', { level: 1 as const });
    },

    async level2(conn, { clientId, mac }) {
      const p = progress(conn);
      if (p?.step !== 'L1') return outOfSequence('l2', 'level 1');
      const tag = fromBase64url(mac);
      const key = await deps.clientKeys.get(clientId);
      const matches = verifyHmacSha256(key ?? decoyClientKey, p.voterId, tag ?? new Uint8Array(0));
      if (!matches || !key) return failLater(conn, p, 'l2', 'INVALID_CLIENT_PROOF', 'the client proof is not valid for this client application');
      setProgress(conn, { step: 'L2', electionId: p.electionId, voterId: p.voterId, clientId });
      return accept('l2', { level: 2 as const });
    },

    async beginLevel3(conn, { clientPublicKey }) {
      const p = progress(conn);
      // Again after L3 is allowed: a client whose session key expired starts level 3 anew.
      if (p?.step !== 'L2' && p?.step !== 'L3') return outOfSequence('l3_begin', 'levels 1 and 2');
      // Each begin costs an X25519 agreement: a logged-in connection may not repeat it without end.
      const begins = ((conn.state.get(L3_BEGINS_KEY) as number | undefined) ?? 0) + 1;
      conn.state.set(L3_BEGINS_KEY, begins);
      if (begins > MAX_LEVEL3_BEGINS) {
        return refuse('l3_begin', 'RATE_LIMITED', `level 3 was begun ${MAX_LEVEL3_BEGINS} times on this connection; log in again on a new one`);
      }
      const peer = fromBase64url(clientPublicKey);
      if (!peer || peer.length !== 32) return refuse('l3_begin', 'INVALID_PUBLIC_KEY', 'the client public key must be 32 bytes (X25519, base64url)');
      const agreed = await x25519.agree(peer);
      if (!agreed.ok) return refuse('l3_begin', 'INVALID_PUBLIC_KEY', 'the client public key is not acceptable (small order)');
      const { publicKey: serverPublicKey, secret } = agreed.value;
      const random = pooledRandomBytes(SESSION_NONCE_BYTES + SESSION_ID_RANDOM_BYTES);
      const nonce = new Uint8Array(random.buffer, random.byteOffset, SESSION_NONCE_BYTES);
      const sharedKey = deriveSessionKey(secret, nonce, p.voterId, p.clientId);
      secret.fill(0);
      const expiresAt = deps.now() + deps.settings.sessionKeyTtlMs;
      const sessionId = `${random.subarray(SESSION_NONCE_BYTES).toString('base64url')}.${expiresAt.toString(36)}`;
      const record: SessionRecord = { e: p.electionId, v: p.voterId, c: p.clientId, k: toBase64url(sharedKey) };
      await store.set(`l3:${hashForKey(sessionId)}`, JSON.stringify(record), deps.settings.sessionKeyTtlMs);
      setProgress(conn, { step: 'L3', electionId: p.electionId, voterId: p.voterId, clientId: p.clientId, session: { id: sessionId, key: sharedKey } });
      return accept('l3_begin', { serverPublicKey: toBase64url(serverPublicKey), nonce: toBase64url(nonce), sessionId });
    },

    async proveLevel3(conn, { sessionId, proof }) {
      const p = progress(conn);
      if (p?.step !== 'L3') return outOfSequence('l3_prove', 'level 3 begin');
      const storeKey = `l3:${hashForKey(sessionId)}`;
      const tag = fromBase64url(proof) ?? new Uint8Array(0);
      const principal: VoterPrincipal = { electionId: p.electionId, voterId: p.voterId, clientId: p.clientId };
      const done = (tokens: TokenPair) => {
        setProgress(conn, { step: 'DONE', electionId: p.electionId, voterId: p.voterId, clientId: p.clientId });
        return accept('l3_prove', tokens);
      };
      // Single use: the store's entry is spent by the first proof, right or wrong, and a proof is
      // good only while that entry lives (its TTL is the session key's).
      const own = p.session?.id === sessionId ? p.session : undefined;
      if (own) {
        // This connection's own session: spend the entry and write the tokens in one round trip.
        const matches = verifyHmacSha256(own.key, p.voterId, tag);
        if (matches) {
          const tokens = await deps.tokens.issueSpending(principal, storeKey);
          return tokens ? done(tokens) : sessionGone(conn, p, sessionId);
        }
        if ((await store.delete(storeKey)) === 0) return sessionGone(conn, p, sessionId);
        return failLater(conn, p, 'l3_prove', 'INVALID_SESSION_PROOF', 'the session proof is not valid');
      }
      // Another session id: the store's record says whose key it is.
      const record = parseSession(await store.take(storeKey));
      if (!record) return sessionGone(conn, p, sessionId);
      const sharedKey = fromBase64url(record.k);
      const sameParty = record.e === p.electionId && record.v === p.voterId && record.c === p.clientId;
      const matches = !!sharedKey && sharedKey.length === SESSION_KEY_BYTES && verifyHmacSha256(sharedKey, p.voterId, tag);
      if (!matches || !sameParty) return failLater(conn, p, 'l3_prove', 'INVALID_SESSION_PROOF', 'the session proof is not valid');
      return done(await deps.tokens.issue(principal));
    },

    async begin(conn, { electionId, voterId, secretCode, clientId, mac, clientPublicKey }) {
      const l1 = await login.level1(conn, { electionId, voterId, secretCode });
      if (!l1.ok) return l1;
      const l2 = await login.level2(conn, { clientId, mac });
      if (!l2.ok) return l2;
      return login.beginLevel3(conn, { clientPublicKey });
    },
  };
  return login;
}

function parseSession(raw: string | undefined): SessionRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as SessionRecord;
  } catch {
    return undefined;
  }
}

/** The VoterAuthenticator port over the token service. */
export function voterAuthenticator(tokens: TokenService): VoterAuthenticator {
  return {
    async authenticate(accessToken: string | undefined) {
      const r = await tokens.resolveAccess(accessToken);
      return r.ok ? r.value : undefined;
    },
  };
}
