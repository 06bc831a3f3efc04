/** Ballot messages: blind signing (voter token), anonymous casting (no identity), receipts, the board. */
import type { Result } from '../../domain/errors.ts';
import type { VoterPrincipal } from '../../auth/voter-authenticator.ts';
import { domainError } from '../../domain/errors.ts';
import type { BlindSigner } from '../../commands/blind-sign.ts';
import type { BallotCaster } from '../../commands/cast-ballot.ts';
import { DEFAULT_BOARD_PAGE, MAX_BOARD_PAGE, type BallotQueries } from '../../projections/ballot-queries.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId, token128Schema as n1, sha256HexSchema as ballotHash } from '../schema-parts.ts';

/** RSA-4096 is 512 bytes = 683 base64url characters. */
const blindedMessage: JsonSchema = { type: 'string', minLength: 1, maxLength: 700, pattern: '^[A-Za-z0-9_-]+$' };
/** A ballot under RSA-4096 with the longest choice is under 3 KiB of text; 8 KiB leaves room. */
export const MAX_CIPHERTEXT_CHARS = 8192;
const ciphertext: JsonSchema = { type: 'string', minLength: 1, maxLength: MAX_CIPHERTEXT_CHARS, pattern: '^[A-Za-z0-9_-]+$' };
const position: JsonSchema = { type: 'integer' };

export const BALLOT_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'ballot.blindSign',
    adminOnly: false,
    summary:
      "Blind-sign the voter's blinded ballot message (RFC 9474 RSABSSA-SHA384-PSS-Randomized). Envelope token = the voter's access token. Once per voter; a retry with the same blinded message returns the same signature.",
    payload: strictObject({ electionId, blindedMessage }, ['electionId', 'blindedMessage']),
    result: {
      description: 'The blind signature (base64url, kLen bytes).',
      schema: { type: 'object', required: ['blindSignature'], properties: { blindSignature: { type: 'string' } } },
    },
    domainErrors: ['UNAUTHENTICATED', 'FORBIDDEN', 'ELECTION_NOT_FOUND', 'WRONG_STATE', 'INVALID_BLINDED_MESSAGE', 'ALREADY_SIGNED', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'query',
    name: 'ballot.weightClass',
    adminOnly: false,
    summary:
      "The logged-in voter's weight class (docs/methods.md \"Weighted voters\"): the client blinds under that class's key from election.get's weightClasses, which the fingerprint (version 4) pins. Envelope token = the voter's access token.",
    payload: strictObject({ electionId }, ['electionId']),
    result: {
      description: 'The weight, null in an unweighted election.',
      schema: { type: 'object', required: ['weight'], properties: { weight: { type: ['integer', 'null'] } } },
    },
    domainErrors: ['UNAUTHENTICATED', 'FORBIDDEN'],
  },
  {
    kind: 'command',
    name: 'ballot.cast',
    adminOnly: false,
    summary:
      'Cast an encrypted ballot anonymously with the one-time token N1. No identity: send it on a fresh connection without a token (any token is ignored). One ballot per N1. Answered once the ballot is durably in the ballot pool, which releases it into the log later, in random order.',
    payload: strictObject({ electionId, n1, ciphertext }, ['electionId', 'n1', 'ciphertext']),
    // The receipt is the pool's durable admission: no read model is promised (docs/ballots.md).
    readYourWrites: false,
    result: {
      description:
        "The receipt: the ballot hash (SHA-256 hex of the ciphertext bytes), the election log key's Ed25519 signature over it (src/crypto/cast-receipt.ts), and the log position when the pool is off (else null: the ballot is released later).",
      schema: {
        type: 'object',
        required: ['ballotHash', 'signature', 'position'],
        properties: { ballotHash: { type: 'string' }, signature: { type: 'string' }, position: { type: ['integer', 'null'] } },
      },
    },
    domainErrors: ['UNKNOWN_CREDENTIAL', 'ALREADY_CAST', 'VOTING_CLOSED', 'INVALID_BALLOT'],
  },
  {
    kind: 'query',
    name: 'ballots.receipt',
    adminOnly: false,
    summary: 'Look a ballot up by its hash: its log position and, once tallied, how it was counted.',
    payload: strictObject({ electionId, ballotHash }, ['electionId', 'ballotHash']),
    result: {
      description: 'The receipt; status is null until the tally counted the ballot.',
      schema: {
        type: 'object',
        required: ['ballotHash', 'position', 'submittedAt', 'status'],
        properties: { ballotHash: { type: 'string' }, position, submittedAt: { type: 'string' }, status: { type: ['string', 'null'] } },
      },
    },
    domainErrors: ['BALLOT_NOT_FOUND'],
  },
  {
    kind: 'query',
    name: 'ballots.board',
    adminOnly: false,
    summary: `The public bulletin board: ballots in log order after position \`after\` (limit default ${DEFAULT_BOARD_PAGE}, at most ${MAX_BOARD_PAGE}).`,
    payload: strictObject(
      { electionId, after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, limit: { type: 'integer', minimum: 1, maximum: MAX_BOARD_PAGE } },
      ['electionId'],
    ),
    result: {
      description: 'A page of {ballotHash, ciphertext, position}; `next` is the `after` of the next page, or null.',
      schema: {
        type: 'object',
        required: ['ballots', 'next'],
        properties: {
          ballots: {
            type: 'array',
            items: { type: 'object', required: ['ballotHash', 'ciphertext', 'position'], properties: { ballotHash: { type: 'string' }, ciphertext: { type: 'string' }, position } },
          },
          next: { type: ['integer', 'null'] },
        },
      },
    },
    domainErrors: [],
  },
];

export interface BallotModuleDeps {
  /** Resolves the envelope token to a voter (the authentication feature's service), read per request. */
  authenticate(token: string | undefined): Promise<VoterPrincipal | undefined>;
  signer: BlindSigner;
  caster: BallotCaster;
  queries: BallotQueries;
}

export function ballotMessageModule(deps: BallotModuleDeps): MessageModule {
  const handlers: [string, MessageHandler][] = [
    [
      catalogueKey('command', 'ballot.blindSign'),
      async (p, ctx): Promise<Result<unknown>> => {
        const principal = await deps.authenticate(ctx.token);
        if (!principal) return { ok: false, error: domainError('UNAUTHENTICATED', 'a valid voter access token is required') };
        return deps.signer.blindSign(principal, { electionId: p.electionId as string, blindedMessage: p.blindedMessage as string });
      },
    ],
    [
      catalogueKey('query', 'ballot.weightClass'),
      async (p, ctx): Promise<Result<unknown>> => {
        const principal = await deps.authenticate(ctx.token);
        if (!principal) return { ok: false, error: domainError('UNAUTHENTICATED', 'a valid voter access token is required') };
        return deps.signer.weightClass(principal, p.electionId as string);
      },
    ],
    [
      catalogueKey('command', 'ballot.cast'),
      // ctx.token is deliberately not read: casting carries no identity.
      (p) => deps.caster.cast({ electionId: p.electionId as string, n1: p.n1 as string, ciphertext: p.ciphertext as string }),
    ],
    [
      catalogueKey('query', 'ballots.receipt'),
      async (p): Promise<Result<unknown>> => {
        const receipt = await deps.queries.receipt(p.electionId as string, p.ballotHash as string);
        return receipt ? { ok: true, value: receipt } : { ok: false, error: domainError('BALLOT_NOT_FOUND', 'no ballot with that hash on the board of this election') };
      },
    ],
    [
      catalogueKey('query', 'ballots.board'),
      async (p) => ({
        ok: true,
        value: await deps.queries.board(p.electionId as string, { after: p.after as number | undefined, limit: p.limit as number | undefined }),
      }),
    ],
  ];
  return { name: 'ballots', specs: BALLOT_MESSAGE_SPECS, handlers: new Map(handlers) };
}
