/**
 * Opaque access and refresh tokens after level 3, kept in the session store by their SHA-256 in
 * families (records, rotation and reuse detection in docs/auth.md, "Tokens").
 */
import { pooledRandomBytes } from '../crypto/random-pool.ts';
import type { Result } from '../domain/errors.ts';
import type { VoterPrincipal } from './voter-authenticator.ts';
import { domainError, type DomainErrorCode } from '../domain/errors.ts';
import { hashForKey, type SessionEntry, type SessionStore } from './session-store.ts';
import type { AuthSettings } from './auth-settings.ts';

export const TOKEN_RANDOM_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
export const OPAQUE_TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';
const OPAQUE_TOKEN = new RegExp(OPAQUE_TOKEN_PATTERN);

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires (as OAuth's expires_in). */
  expiresIn: number;
}

interface AccessRecord {
  e: string;
  v: string;
  c: string;
  f: string;
  /** Expiry, ms since the epoch. */
  x: number;
}
interface RefreshRecord {
  e: string;
  v: string;
  c: string;
  f: string;
  s: 0 | 1;
}
interface FamilyRecord {
  at: string;
  rt: string;
}

export interface TokenService {
  issue(principal: VoterPrincipal): Promise<TokenPair>;
  /** `issue`, spending the level-3 session entry in the same atomic step; undefined when it was gone. */
  issueSpending(principal: VoterPrincipal, sessionKey: string): Promise<TokenPair | undefined>;
  refresh(refreshToken: string): Promise<Result<TokenPair>>;
  /** UNAUTHENTICATED (absent, unknown, revoked, superseded) or TOKEN_EXPIRED. */
  resolveAccess(accessToken: string | undefined): Promise<Result<VoterPrincipal>>;
  /** Revokes the families of whichever given tokens are known (even expired or spent); UNAUTHENTICATED when none is. */
  logout(tokens: { accessToken?: string; refreshToken?: string }): Promise<Result<{ loggedOut: true }>>;
  /** True when the family existed. */
  revokeFamily(familyId: string): Promise<boolean>;
}

export interface TokenServiceDeps {
  store: SessionStore;
  settings: Pick<AuthSettings, 'accessTokenTtlMs' | 'refreshTokenTtlMs' | 'expiredTokenMemoryMs'>;
  /** Milliseconds clock. */
  now: () => number;
}

const fail = (code: DomainErrorCode, message: string): Result<never> => ({ ok: false, error: domainError(code, message) });

function parse<T>(raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

const isOpaqueToken = (t: unknown): t is string => typeof t === 'string' && OPAQUE_TOKEN.test(t);

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { store, settings, now } = deps;
  const atKey = (hash: string) => `at:${hash}`;
  const rtKey = (hash: string) => `rt:${hash}`;
  const famKey = (familyId: string) => `fam:${familyId}`;

  /** A new access/refresh pair of `familyId`: the tokens, their hashes and the records to write. */
  function mint(p: VoterPrincipal, familyId: string) {
    const random = pooledRandomBytes(2 * TOKEN_RANDOM_BYTES);
    const accessToken = random.subarray(0, TOKEN_RANDOM_BYTES).toString('base64url');
    const refreshToken = random.subarray(TOKEN_RANDOM_BYTES).toString('base64url');
    const hashes: FamilyRecord = { at: hashForKey(accessToken), rt: hashForKey(refreshToken) };
    const access: AccessRecord = { e: p.electionId, v: p.voterId, c: p.clientId, f: familyId, x: now() + settings.accessTokenTtlMs };
    const refresh: RefreshRecord = { e: p.electionId, v: p.voterId, c: p.clientId, f: familyId, s: 0 };
    const records: SessionEntry[] = [
      { key: atKey(hashes.at), value: JSON.stringify(access), ttlMs: settings.accessTokenTtlMs + settings.expiredTokenMemoryMs },
      { key: rtKey(hashes.rt), value: JSON.stringify(refresh), ttlMs: settings.refreshTokenTtlMs },
    ];
    const pair: TokenPair = { accessToken, refreshToken, expiresIn: settings.accessTokenTtlMs / 1000 };
    return { pair, hashes, records };
  }

  /** A login's tokens and every record to write, family record included (one command). */
  function newFamily(principal: VoterPrincipal): { pair: TokenPair; entries: SessionEntry[] } {
    const familyId = pooledRandomBytes(16).toString('base64url');
    const { pair, hashes, records } = mint(principal, familyId);
    return { pair, entries: [...records, { key: famKey(familyId), value: JSON.stringify(hashes), ttlMs: settings.refreshTokenTtlMs }] };
  }

  async function revokeFamily(familyId: string): Promise<boolean> {
    const family = parse<FamilyRecord>(await store.take(famKey(familyId)));
    if (!family) return false;
    // Only hygiene: with `fam:` gone these tokens are refused already.
    await store.delete(atKey(family.at), rtKey(family.rt));
    return true;
  }

  return {
    async issue(principal) {
      const { pair, entries } = newFamily(principal);
      await store.setAll(entries);
      return pair;
    },

    async issueSpending(principal, sessionKey) {
      const { pair, entries } = newFamily(principal);
      return (await store.takeThenSetAll(sessionKey, entries)) ? pair : undefined;
    },

    async refresh(refreshToken) {
      if (!isOpaqueToken(refreshToken)) return fail('INVALID_REFRESH_TOKEN', 'the refresh token is unknown, expired or revoked');
      const hash = hashForKey(refreshToken);
      const raw = await store.get(rtKey(hash));
      const record = parse<RefreshRecord>(raw);
      if (!raw || !record) return fail('INVALID_REFRESH_TOKEN', 'the refresh token is unknown, expired or revoked');
      const reused = async () => {
        await revokeFamily(record.f);
        return fail('REFRESH_TOKEN_REUSED', 'this refresh token was already used: every token of its login is revoked; log in again');
      };
      if (record.s === 1) return reused();
      // Spend it. Losing the swap means a concurrent refresh spent it first: that is reuse too.
      if (!(await store.compareAndSwap(rtKey(hash), raw, JSON.stringify({ ...record, s: 1 })))) return reused();

      const familyRaw = await store.get(famKey(record.f));
      const family = parse<FamilyRecord>(familyRaw);
      if (!familyRaw || !family) return fail('INVALID_REFRESH_TOKEN', 'the refresh token is unknown, expired or revoked');
      // Cannot arise through this code; refused as reuse rather than trusted.
      if (family.rt !== hash) return reused();

      const principal = { electionId: record.e, voterId: record.v, clientId: record.c };
      const { pair, hashes, records } = mint(principal, record.f);
      await store.setAll(records);
      if (!(await store.compareAndSwap(famKey(record.f), familyRaw, JSON.stringify(hashes), settings.refreshTokenTtlMs))) {
        // The family was revoked between our read and this swap: the new pair must not live.
        await store.delete(atKey(hashes.at), rtKey(hashes.rt));
        return fail('INVALID_REFRESH_TOKEN', 'the refresh token is unknown, expired or revoked');
      }
      await store.delete(atKey(family.at));
      return { ok: true, value: pair };
    },

    async resolveAccess(accessToken) {
      if (!isOpaqueToken(accessToken)) return fail('UNAUTHENTICATED', 'a valid access token is required');
      const hash = hashForKey(accessToken);
      const record = parse<AccessRecord>(await store.get(atKey(hash)));
      if (!record) return fail('UNAUTHENTICATED', 'a valid access token is required');
      // Revocation first: refreshing cannot help a revoked login, so it must not hear TOKEN_EXPIRED.
      const family = parse<FamilyRecord>(await store.get(famKey(record.f)));
      if (!family || family.at !== hash) return fail('UNAUTHENTICATED', 'a valid access token is required');
      if (now() >= record.x) return fail('TOKEN_EXPIRED', 'the access token expired; refresh it');
      return { ok: true, value: { electionId: record.e, voterId: record.v, clientId: record.c } };
    },

    async logout({ accessToken, refreshToken }) {
      const families = new Set<string>();
      if (isOpaqueToken(accessToken)) {
        const r = parse<AccessRecord>(await store.get(atKey(hashForKey(accessToken))));
        if (r) families.add(r.f);
      }
      if (isOpaqueToken(refreshToken)) {
        const r = parse<RefreshRecord>(await store.get(rtKey(hashForKey(refreshToken))));
        if (r) families.add(r.f);
      }
      if (families.size === 0) return fail('UNAUTHENTICATED', 'neither token is known');
      for (const f of families) await revokeFamily(f);
      return { ok: true, value: { loggedOut: true } };
    },

    revokeFamily,
  };
}
