/**
 * Authentication messages (docs/auth.md). Secrets have their exact base64url length in the schema,
 * so a malformed value is refused before any lookup.
 */
import type { Result } from '../../domain/errors.ts';
import type { ClientCommandHandlers } from '../../commands/client-commands.ts';
import type { TokenService } from '../../auth/token-service.ts';
import { OPAQUE_TOKEN_PATTERN } from '../../auth/token-service.ts';
import { SESSION_ID_PATTERN, type VoterLogin } from '../../auth/voter-login.ts';
import { MAX_CLIENT_NAME_LENGTH } from '../../domain/client.ts';
import type { DomainErrorCode } from '../../domain/errors.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import type { Counter } from '../../runtime/metrics.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject } from '../schema-parts.ts';

const id: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
/** base64url of 32 bytes: MACs, proofs, X25519 keys, nonces, tokens. */
const b64url32: JsonSchema = { type: 'string', pattern: OPAQUE_TOKEN_PATTERN };
/** base64url of 48 bytes (src/credentials/secret-code.ts). */
const secretCode: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{64}$' };
const sessionId: JsonSchema = { type: 'string', pattern: SESSION_ID_PATTERN };
const integer: JsonSchema = { type: 'integer' };
const string: JsonSchema = { type: 'string' };

const resultOf = (description: string, properties: Record<string, JsonSchema>) => ({
  description,
  schema: { type: 'object', required: Object.keys(properties), properties },
});

const TOKEN_PAIR = resultOf('Opaque tokens (32 random bytes, base64url); expiresIn: seconds until the access token expires.', {
  accessToken: string,
  refreshToken: string,
  expiresIn: { type: 'number' },
});

const LOGIN_REFUSALS: DomainErrorCode[] = ['AUTH_SEQUENCE', 'RATE_LIMITED'];

export const AUTH_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'auth.level1',
    adminOnly: false,
    summary: "Level 1: the voter id and secret code from the credential letter. Starts (or restarts) this connection's login.",
    payload: strictObject({ electionId: id, voterId: id, secretCode }, ['electionId', 'voterId', 'secretCode']),
    result: resultOf('Level 1 passed.', { level: { const: 1 } }),
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'INVALID_CREDENTIALS', 'RATE_LIMITED'],
  },
  {
    kind: 'command',
    name: 'auth.level2',
    adminOnly: false,
    summary: 'Level 2: the client application proves its key, mac = base64url HMAC-SHA256(clientKey, voterId).',
    payload: strictObject({ clientId: id, mac: b64url32 }, ['clientId', 'mac']),
    result: resultOf('Level 2 passed.', { level: { const: 2 } }),
    domainErrors: ['INVALID_CLIENT_PROOF', ...LOGIN_REFUSALS],
  },
  {
    kind: 'command',
    name: 'auth.level3.begin',
    adminOnly: false,
    summary:
      "Level 3, first half: the client's X25519 public key (raw 32 bytes, base64url). Both sides then derive sharedKey = HKDF-SHA256(X25519 secret, salt = nonce, info = 'evote/session/v1' ‖ u32be len ‖ voterId ‖ u32be len ‖ clientId, 32).",
    payload: strictObject({ clientPublicKey: b64url32 }, ['clientPublicKey']),
    result: resultOf('The server ephemeral public key, the 32-byte nonce (base64url) and the session id to prove.', {
      serverPublicKey: string,
      nonce: string,
      sessionId: string,
    }),
    domainErrors: ['INVALID_PUBLIC_KEY', ...LOGIN_REFUSALS],
  },
  {
    kind: 'command',
    name: 'auth.begin',
    adminOnly: false,
    summary:
      'Levels 1, 2 and the first half of level 3 in one request (the payloads of auth.level1, auth.level2 and auth.level3.begin together), checked in that order and answered like auth.level3.begin; a refusal carries the code of the level that refused. Then auth.level3.prove: a login in two round trips instead of four.',
    payload: strictObject({ electionId: id, voterId: id, secretCode, clientId: id, mac: b64url32, clientPublicKey: b64url32 }, [
      'electionId',
      'voterId',
      'secretCode',
      'clientId',
      'mac',
      'clientPublicKey',
    ]),
    result: resultOf('The server ephemeral public key, the 32-byte nonce (base64url) and the session id to prove.', {
      serverPublicKey: string,
      nonce: string,
      sessionId: string,
    }),
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'INVALID_CREDENTIALS', 'INVALID_CLIENT_PROOF', 'INVALID_PUBLIC_KEY', 'RATE_LIMITED'],
  },
  {
    kind: 'command',
    name: 'auth.level3.prove',
    adminOnly: false,
    summary: 'Level 3, second half: proof = base64url HMAC-SHA256(sharedKey, voterId). The session key is single use.',
    payload: strictObject({ sessionId, proof: b64url32 }, ['sessionId', 'proof']),
    result: TOKEN_PAIR,
    domainErrors: ['SESSION_EXPIRED', 'SESSION_ALREADY_USED', 'INVALID_SESSION_PROOF', ...LOGIN_REFUSALS],
  },
  {
    kind: 'command',
    name: 'auth.refresh',
    adminOnly: false,
    summary: 'A new token pair for a refresh token, which is spent; presenting a spent one revokes every token of that login.',
    payload: strictObject({ refreshToken: b64url32 }, ['refreshToken']),
    result: TOKEN_PAIR,
    domainErrors: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'],
  },
  {
    kind: 'command',
    name: 'auth.logout',
    adminOnly: false,
    summary: "Revokes the login (token family) of the envelope's access token and/or of the given refresh token.",
    payload: strictObject({ refreshToken: b64url32 }, []),
    result: resultOf('Logged out.', { loggedOut: { const: true } }),
    domainErrors: ['UNAUTHENTICATED'],
  },
  {
    kind: 'query',
    name: 'auth.whoami',
    adminOnly: false,
    summary: "Who the envelope's access token stands for.",
    payload: strictObject({}, []),
    result: resultOf('The voter principal.', { electionId: string, voterId: string, clientId: string }),
    domainErrors: ['UNAUTHENTICATED', 'TOKEN_EXPIRED'],
  },
  {
    kind: 'command',
    name: 'clients.register',
    adminOnly: true,
    summary: 'Register a voter client application; its HMAC key is returned once and never again.',
    payload: strictObject({ name: { type: 'string', minLength: 1, maxLength: MAX_CLIENT_NAME_LENGTH } }, ['name']),
    result: resultOf('The client id, its key (32 bytes, base64url: hand it to the app, it is not shown again) and the log position.', {
      clientId: string,
      clientKey: string,
      position: integer,
    }),
    domainErrors: ['INVALID_CLIENT_NAME', 'CLIENT_ALREADY_EXISTS', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'clients.revoke',
    adminOnly: true,
    summary: 'Revoke a client application: its key is deleted and its voters fail level 2. Idempotent.',
    payload: strictObject({ clientId: id }, ['clientId']),
    result: resultOf('The log position.', { position: integer }),
    domainErrors: ['CLIENT_NOT_FOUND', 'CONCURRENCY_CONFLICT'],
  },
];

export interface AuthMessageDeps {
  login: VoterLogin;
  tokens: TokenService;
  clients: ClientCommandHandlers;
  /** evote_auth_attempts_total{level, outcome}: refreshes are counted here (the levels by the login). */
  attempts: Counter;
}

type Payload<T> = T & Record<string, unknown>;

export function authMessageModule(deps: AuthMessageDeps): MessageModule {
  const { login, tokens, clients } = deps;
  // Payloads arrive validated against the specs above; the casts restate those schemas.
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('command', 'auth.level1'), (p, ctx) => login.level1(ctx.connection, p as Payload<{ electionId: string; voterId: string; secretCode: string }>)],
    [catalogueKey('command', 'auth.level2'), (p, ctx) => login.level2(ctx.connection, p as Payload<{ clientId: string; mac: string }>)],
    [catalogueKey('command', 'auth.level3.begin'), (p, ctx) => login.beginLevel3(ctx.connection, p as Payload<{ clientPublicKey: string }>)],
    [
      catalogueKey('command', 'auth.begin'),
      (p, ctx) => login.begin(ctx.connection, p as Payload<{ electionId: string; voterId: string; secretCode: string; clientId: string; mac: string; clientPublicKey: string }>),
    ],
    [catalogueKey('command', 'auth.level3.prove'), (p, ctx) => login.proveLevel3(ctx.connection, p as Payload<{ sessionId: string; proof: string }>)],
    [
      catalogueKey('command', 'auth.refresh'),
      async (p) => {
        const r = await tokens.refresh(p.refreshToken as string);
        deps.attempts.inc({ level: 'refresh', outcome: r.ok ? 'ok' : r.error.code.toLowerCase() });
        return r;
      },
    ],
    [
      catalogueKey('command', 'auth.logout'),
      (p, ctx) => tokens.logout({ accessToken: ctx.token, refreshToken: p.refreshToken as string | undefined }),
    ],
    [catalogueKey('query', 'auth.whoami'), (_p, ctx): Promise<Result<unknown>> => tokens.resolveAccess(ctx.token)],
    [catalogueKey('command', 'clients.register'), (p) => clients.registerClient({ name: p.name as string })],
    [catalogueKey('command', 'clients.revoke'), (p) => clients.revokeClient({ clientId: p.clientId as string })],
  ];
  return { name: 'auth', specs: AUTH_MESSAGE_SPECS, handlers: new Map(handlers) };
}
