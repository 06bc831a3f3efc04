/**
 * The login state machine without the gateway: the in-memory session store (embedded mode), a
 * real key store on PGlite, the client-side helpers for the proofs. Checks the sequencing, the
 * decoy path for unknown voters, that failures count per connection and never per voter,
 * and the VoterAuthenticator published for the ballot feature.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMac } from '../../src/client/client-login.ts';
import { createClientKeys } from '../../src/auth/client-keys.ts';
import { DEFAULT_AUTH_SETTINGS } from '../../src/auth/auth-settings.ts';
import { createMemorySessionStore } from '../../src/auth/memory-session-store.ts';
import { createRateLimiter } from '../../src/auth/rate-limiter.ts';
import { deriveSessionKey, sessionProof } from '../../src/auth/session-key.ts';
import { createTokenService } from '../../src/auth/token-service.ts';
import { createVoterLogin, MAX_LEVEL3_BEGINS, voterAuthenticator, type LoginConnection, type VoterLogin } from '../../src/auth/voter-login.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { Result } from '../../src/domain/errors.ts';
import type { VoterAuthenticator } from '../../src/auth/voter-authenticator.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/runtime/metrics.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../../src/crypto/x25519.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import type { SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite } from '../support/scratch-db.ts';

let sql: SqlClient;
let keyStore: KeyStore;
let login: VoterLogin;
let auth: VoterAuthenticator;
let metrics: MetricsRegistry;
const statuses = new Map<string, ElectionRow['status']>([['open', 'VOTE_STARTED'], ['closed', 'VOTE_ENDED']]);
const voter = { electionId: 'open', voterId: 'v-1', secretCode: '' };
const client = { clientId: 'app-1', clientKey: toBase64url(new Uint8Array(randomBytes(32))) };

const newConn = (): LoginConnection => ({ id: randomBytes(8).toString('hex'), state: new Map(), remoteAddress: `192.0.2.${randomBytes(1)[0]}` });
const code = (r: Result<unknown>) => (r.ok ? 'OK' : r.error.code);

beforeAll(async () => {
  sql = await createScratchPglite();
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  const issued = issueSecretCode();
  voter.secretCode = issued.secretCode;
  await keyStore.put(keyNames.credential(voter.electionId, voter.voterId), issued.stored);
  for (let i = 0; i < 30; i++) await keyStore.put(keyNames.credential('open', `crowd-${i}`), issueSecretCode().stored);
  await keyStore.put(keyNames.client(client.clientId), fromBase64url(client.clientKey)!);
  const store = createMemorySessionStore();
  const tokens = createTokenService({ store, settings: DEFAULT_AUTH_SETTINGS, now: Date.now });
  metrics = createMetricsRegistry();
  login = createVoterLogin({
    store,
    keyStore,
    elections: { get: async (id) => statuses.get(id) },
    clientKeys: createClientKeys(keyStore, { ttlMs: 1_000 }),
    tokens,
    limiter: createRateLimiter(store, DEFAULT_AUTH_SETTINGS),
    settings: DEFAULT_AUTH_SETTINGS,
    now: Date.now,
    attempts: metrics.counter('evote_auth_attempts_total', 'test', ['level', 'outcome']),
    log: silentLogger,
  });
  auth = voterAuthenticator(tokens);
});

afterAll(async () => {
  await sql?.close();
});

/** Levels 1 and 2, when `fresh`, then a level-3 begin: the session id and the right proof for it. */
async function beginSession(conn: LoginConnection, fresh = true) {
  if (fresh) {
    expect(code(await login.level1(conn, voter))).toBe('OK');
    expect(code(await login.level2(conn, { clientId: client.clientId, mac: clientMac(client.clientKey, voter.voterId) }))).toBe('OK');
  }
  const own = generateX25519KeyPair();
  const begun = await login.beginLevel3(conn, { clientPublicKey: toBase64url(own.publicKey) });
  if (!begun.ok) throw new Error(begun.error.code);
  const secret = x25519SharedSecret(own.privateKey, fromBase64url(begun.value.serverPublicKey)!);
  if (!secret.ok) throw new Error('bad key');
  const key = deriveSessionKey(secret.value, fromBase64url(begun.value.nonce)!, voter.voterId, client.clientId);
  return { sessionId: begun.value.sessionId, proof: toBase64url(sessionProof(key, voter.voterId)) };
}

async function fullLogin(conn: LoginConnection) {
  return login.proveLevel3(conn, await beginSession(conn));
}

describe('voter login (memory sessions, PGlite key store)', () => {
  it('logs in through three levels; the VoterAuthenticator resolves the access token', async () => {
    const r = await fullLogin(newConn());
    if (!r.ok) throw new Error(r.error.code);
    expect(await auth.authenticate(r.value.accessToken)).toEqual({ electionId: 'open', voterId: 'v-1', clientId: 'app-1' });
    expect(await auth.authenticate(r.value.refreshToken)).toBeUndefined();
    expect(await auth.authenticate(undefined)).toBeUndefined();
    const text = await metrics.renderPrometheus();
    expect(text).toContain('evote_auth_attempts_total{level="l1",outcome="ok"} 1');
    expect(text).toContain('evote_auth_attempts_total{level="l3_prove",outcome="ok"} 1');
  });

  it('an unknown voter costs a decryption too and gets the same refusal as a wrong code', async () => {
    const conn = newConn();
    expect(code(await login.level1(conn, { electionId: 'open', voterId: 'nobody', secretCode: voter.secretCode }))).toBe('INVALID_CREDENTIALS');
    expect(code(await login.level1(conn, { electionId: 'open', voterId: 'v-1', secretCode: issueSecretCode().secretCode }))).toBe('INVALID_CREDENTIALS');
    expect(code(await login.level1(conn, { electionId: 'closed', voterId: 'v-1', secretCode: voter.secretCode }))).toBe('WRONG_STATE');
    expect(code(await login.level1(conn, { electionId: 'nope', voterId: 'v-1', secretCode: voter.secretCode }))).toBe('ELECTION_NOT_FOUND');
  });

  it('a new level 1 restarts the login; proving without beginning is out of sequence', async () => {
    const conn = newConn();
    expect(code(await login.level1(conn, voter))).toBe('OK');
    expect(code(await login.proveLevel3(conn, { sessionId: 'x'.repeat(22) + '.1', proof: 'y'.repeat(43) }))).toBe('AUTH_SEQUENCE');
    expect(code(await login.level2(conn, { clientId: client.clientId, mac: clientMac(client.clientKey, voter.voterId) }))).toBe('OK');
    expect(code(await login.level1(conn, voter))).toBe('OK');
    expect(code(await login.beginLevel3(conn, { clientPublicKey: toBase64url(generateX25519KeyPair().publicKey) }))).toBe('AUTH_SEQUENCE');
  });

  it('a connection may begin level 3 a bounded number of times (each costs an X25519 agreement)', async () => {
    const conn = newConn();
    await beginSession(conn);
    for (let i = 1; i < MAX_LEVEL3_BEGINS; i++) await beginSession(conn, false);
    const again = await login.beginLevel3(conn, { clientPublicKey: toBase64url(generateX25519KeyPair().publicKey) });
    expect(code(again)).toBe('RATE_LIMITED');
    expect(code(await fullLogin(newConn()))).toBe('OK');
  });

  it('two concurrent proofs of one session: one gets tokens, the other SESSION_ALREADY_USED', async () => {
    const conn = newConn();
    const session = await beginSession(conn);
    const results = await Promise.all([1, 2].map(() => login.proveLevel3(conn, session)));
    expect(results.map(code).sort()).toEqual(['OK', 'SESSION_ALREADY_USED']);
  });

  it('an earlier session of the connection still proves, with its key read back from the store, once', async () => {
    const conn = newConn();
    const first = await beginSession(conn);
    const second = await beginSession(conn, false);
    expect(code(await login.proveLevel3(conn, first))).toBe('OK');
    // Spent; while the connection's later session is still in the store, unspent. (A session
    // is bound to its voter and client application, which the other connection also passed.)
    const other = newConn();
    await beginSession(other);
    expect(code(await login.proveLevel3(other, first))).toBe('SESSION_ALREADY_USED');
    await beginSession(other);
    expect(code(await login.proveLevel3(other, second))).toBe('OK');
  });

  it('a wrong proof spends the session: its right proof is refused afterwards', async () => {
    const conn = newConn();
    const session = await beginSession(conn);
    expect(code(await login.proveLevel3(conn, { sessionId: session.sessionId, proof: toBase64url(new Uint8Array(32)) }))).toBe('INVALID_SESSION_PROOF');
    await beginSession(conn);
    expect(code(await login.proveLevel3(conn, session))).toBe('SESSION_ALREADY_USED');
  });

  it('wrong codes for a voter from many connections never stop that voter; concurrent valid logins all pass', async () => {
    const target = { electionId: 'open', voterId: 'crowd-0' };
    const guesses = await Promise.all(Array.from({ length: 30 }, () => login.level1(newConn(), { ...target, secretCode: issueSecretCode().secretCode })));
    expect(guesses.map(code).every((c) => c === 'INVALID_CREDENTIALS')).toBe(true);
    const logins = await Promise.all(Array.from({ length: 20 }, () => fullLogin(newConn())));
    expect(logins.map(code)).toEqual(Array(20).fill('OK'));
  });

  it('a connection is limited after 10 failures, whichever voters; it runs one check at a time', async () => {
    const conn = newConn();
    const parallel = await Promise.all(
      Array.from({ length: 5 }, (_, i) => login.level1(conn, { electionId: 'open', voterId: `crowd-${i + 1}`, secretCode: issueSecretCode().secretCode })),
    );
    expect(parallel.map(code).sort()).toEqual(['INVALID_CREDENTIALS', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    for (let i = 1; i < 10; i++) {
      expect(code(await login.level1(conn, { electionId: 'open', voterId: `crowd-${i + 5}`, secretCode: issueSecretCode().secretCode }))).toBe('INVALID_CREDENTIALS');
    }
    const limited = await login.level1(conn, voter);
    expect(code(limited)).toBe('RATE_LIMITED');
    expect(!limited.ok && (limited.error.details?.retryAfterMs as number)).toBeGreaterThan(14 * 60_000);
  });

  it('a level-2 failure counts against the connection, not the voter, and restarts the login', async () => {
    const issued = issueSecretCode();
    const v = { electionId: 'open', voterId: 'v-2', secretCode: issued.secretCode };
    await keyStore.put(keyNames.credential(v.electionId, v.voterId), issued.stored);
    const conn = newConn();
    for (let i = 0; i < 10; i++) {
      expect(code(await login.level1(conn, v))).toBe('OK');
      expect(code(await login.level2(conn, { clientId: client.clientId, mac: 'A'.repeat(43) }))).toBe('INVALID_CLIENT_PROOF');
      expect(code(await login.level2(conn, { clientId: client.clientId, mac: clientMac(client.clientKey, v.voterId) }))).toBe('AUTH_SEQUENCE');
    }
    expect(code(await login.level1(conn, v))).toBe('RATE_LIMITED');
    expect(code(await login.level1(newConn(), v))).toBe('OK');
  });

  it('auth.begin checks levels 1, 2 and 3 in order in one request, refusing with the first failing level’s code', async () => {
    const issued = issueSecretCode();
    const v = { electionId: 'open', voterId: 'v-3', secretCode: issued.secretCode };
    await keyStore.put(keyNames.credential(v.electionId, v.voterId), issued.stored);
    const own = generateX25519KeyPair();
    const input = { ...v, clientId: client.clientId, mac: clientMac(client.clientKey, v.voterId), clientPublicKey: toBase64url(own.publicKey) };

    // Each level refuses on its own: a wrong code before a wrong MAC before a bad key.
    const conn = newConn();
    expect(code(await login.begin(conn, { ...input, secretCode: issueSecretCode().secretCode, mac: 'A'.repeat(43) }))).toBe('INVALID_CREDENTIALS');
    expect(code(await login.begin(conn, { ...input, mac: 'A'.repeat(43), clientPublicKey: 'AA' }))).toBe('INVALID_CLIENT_PROOF');
    expect(code(await login.begin(conn, { ...input, clientPublicKey: 'AA' }))).toBe('INVALID_PUBLIC_KEY');
    expect(code(await login.begin(conn, { ...input, electionId: 'closed' }))).toBe('WRONG_STATE');

    // Then the challenge it answers is level 3's: the proof completes the login.
    const begun = await login.begin(conn, input);
    if (!begun.ok) throw new Error(begun.error.code);
    const secret = x25519SharedSecret(own.privateKey, fromBase64url(begun.value.serverPublicKey)!);
    if (!secret.ok) throw new Error('bad key');
    const key = deriveSessionKey(secret.value, fromBase64url(begun.value.nonce)!, v.voterId, client.clientId);
    const tokens = await login.proveLevel3(conn, { sessionId: begun.value.sessionId, proof: toBase64url(sessionProof(key, v.voterId)) });
    if (!tokens.ok) throw new Error(tokens.error.code);
    expect(await auth.authenticate(tokens.value.accessToken)).toEqual({ electionId: 'open', voterId: 'v-3', clientId: 'app-1' });
  });
});
