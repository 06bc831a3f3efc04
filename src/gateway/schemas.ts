/**
 * The WebSocket protocol as data, the one source of truth for validation and docs/asyncapi.yaml.
 * Payload schemas are strict and bounded; semantic rules stay with the domain deciders.
 */
import { MAX_WEIGHT, MAX_WEIGHT_CLASSES } from '../domain/weight-classes.ts';
import type { DomainErrorCode } from '../domain/errors.ts';
import { CHOICE_MAX_LENGTH, EMAIL_MAX_LENGTH, MAX_CHOICES, MAX_EXPECTED_VOTERS, MAX_NAMED_WITNESSES, MIN_CHOICES, WITNESS_VKEY_PATTERN, THEME_MAX_LENGTH } from '../domain/election.ts';
import { DEFAULT_VOTERS_PAGE, MAX_VOTERS_PAGE } from '../projections/queries.ts';
import { strictObject, electionIdSchema as electionId } from './schema-parts.ts';
import { TRANSCRIPT_SCHEMA } from './trustee-schemas.ts';
import { BALLOT_FORM_SCHEMA, METHOD_SCHEMA, SEATS_SCHEMA } from './ballot-schemas.ts';

export type JsonSchema = Record<string, unknown>;

export const MESSAGE_KINDS = ['command', 'query', 'subscribe', 'unsubscribe'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const MAX_REQUEST_ID_LENGTH = 128;
export const MAX_TOKEN_LENGTH = 512;
/** The frame limit bounds a CSV first (default 64 KiB: the client library sends large files in chunks). */
export const MAX_CSV_CHARS = 32 * 1024 * 1024;

const theme: JsonSchema = { type: 'string', minLength: 1, maxLength: THEME_MAX_LENGTH };
const choices: JsonSchema = {
  type: 'array',
  minItems: MIN_CHOICES,
  maxItems: MAX_CHOICES,
  items: { type: 'string', minLength: 1, maxLength: CHOICE_MAX_LENGTH },
};
const expectedVoters: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_EXPECTED_VOTERS };
/** ISO-8601 date-time with an explicit offset; the decider checks it lies in the future. */
const isoDateTime: JsonSchema = {
  type: 'string',
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
};

export const REQUEST_ENVELOPE_SCHEMA: JsonSchema = strictObject(
  {
    id: { type: 'string', minLength: 1, maxLength: MAX_REQUEST_ID_LENGTH, description: 'Chosen by the client; echoed in the reply.' },
    kind: { enum: [...MESSAGE_KINDS] },
    name: { type: 'string', minLength: 1, maxLength: 64 },
    payload: { type: 'object', description: 'Validated against the named message schema; {} when absent.' },
    token: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH, description: 'Admin token (admin-only messages).' },
  },
  ['id', 'kind', 'name'],
);

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'A gateway code (src/gateway/error-codes.ts) or a domain code (src/domain/errors.ts).' },
    message: { type: 'string' },
    details: { type: 'object' },
  },
};

export const REPLY_SCHEMA: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['id', 'ok', 'result'],
      properties: { id: { type: 'string' }, ok: { const: true }, result: {} },
    },
    {
      type: 'object',
      required: ['id', 'ok', 'error'],
      properties: {
        id: { type: ['string', 'null'], description: 'null when the request id could not be read.' },
        ok: { const: false },
        error: ERROR_SCHEMA,
      },
    },
  ],
};

export const PROGRESS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id', 'kind', 'payload'],
  properties: {
    id: { type: 'string' },
    kind: { const: 'progress' },
    payload: {
      type: 'object',
      required: ['done', 'total'],
      description: 'Long commands report done/total; some add counters of their own (skipped, failed).',
      properties: { done: { type: 'integer' }, total: { type: 'integer' }, skipped: { type: 'integer' }, failed: { type: 'integer' } },
    },
  },
};

export const ELECTION_ROW_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['electionId', 'theme', 'choices', 'expectedVoters', 'status', 'voterCount', 'closesAt', 'createdAt', 'startedAt', 'endedAt', 'position'],
  properties: {
    electionId: { type: 'string' },
    theme: { type: 'string' },
    choices: { type: 'array', items: { type: 'string' } },
    expectedVoters: { type: 'integer' },
    status: { enum: ['REGISTER', 'VOTE_STARTED', 'VOTE_ENDED'] },
    voterCount: { type: 'integer' },
    closesAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    endedAt: { type: ['string', 'null'] },
    position: { type: 'integer', description: 'Global log position of the last event folded into the row.' },
    witnesses: { type: 'array', items: { type: 'string' }, description: 'The witnesses named at creation (sorted vkeys).' },
    trustees: { description: "A trustee election's threshold, params and trustees (the fingerprint's part of TrusteesAppointed), else null." },
    ballot: { description: 'The ballot form, counting method and seats of ElectionCreated (docs/methods.md; fingerprint version 3); absent for single choice, plurality.' },
    weightClasses: { type: 'array', items: { type: 'object', required: ['weight', 'authorityPublicKey'], properties: { weight: { type: 'integer' }, authorityPublicKey: { type: 'string' } } }, description: "A weighted election's classes, each with its authority key (fingerprint version 4); absent when unweighted." },
  },
};

export const VOTER_ROW_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['voterId', 'electionId', 'email', 'registeredAt'],
  properties: {
    voterId: { type: 'string' },
    electionId: { type: 'string' },
    email: { type: 'string' },
    registeredAt: { type: 'string' },
  },
};

const transitionBase = {
  electionId: { type: 'string' },
  status: { enum: ['REGISTER', 'VOTE_STARTED', 'VOTE_ENDED'] },
  position: { type: 'integer' },
};

export const ELECTION_TRANSITION_SCHEMA: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['electionId', 'transition', 'status', 'position', 'election'],
      properties: { ...transitionBase, transition: { enum: ['created', 'configured', 'started', 'ended'] }, election: ELECTION_ROW_SCHEMA },
    },
    {
      type: 'object',
      required: ['electionId', 'transition', 'status', 'position', 'voterCount'],
      properties: { ...transitionBase, transition: { const: 'voterCount' }, voterCount: { type: 'integer' } },
    },
    {
      type: 'object',
      required: ['electionId', 'transition', 'status', 'position', 'done', 'total'],
      properties: { ...transitionBase, transition: { const: 'tallyProgress' }, done: { type: 'integer' }, total: { type: 'integer' } },
    },
    {
      type: 'object',
      required: ['electionId', 'transition', 'status', 'position', 'counts', 'statuses', 'ballots'],
      properties: {
        ...transitionBase,
        transition: { const: 'tallied' },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        statuses: { type: 'object', additionalProperties: { type: 'integer' } },
        ballots: { type: 'integer' },
        method: { type: 'string', description: 'An election counted by its method: the method; `counts` is then {}.' },
        unit: { type: 'string' },
        winners: { type: 'array', items: { type: 'string' } },
      },
    },
  ],
};

export const PUSH_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'subscription', 'name', 'payload'],
  properties: {
    kind: { const: 'event' },
    subscription: { type: 'string', description: 'The id of the subscribe request.' },
    name: { const: 'election.transition' },
    payload: ELECTION_TRANSITION_SCHEMA,
  },
};

export interface MessageSpec {
  kind: MessageKind;
  name: string;
  /** Requires the admin token in the envelope's `token`. */
  adminOnly: boolean;
  summary: string;
  payload: JsonSchema;
  result: { description: string; schema: JsonSchema };
  /** Sends `{id, kind: 'progress', payload}` messages before the final reply. */
  progress?: boolean;
  /** false: reply once committed, without waiting for the read models (default: wait, bounded). */
  readYourWrites?: false;
  /** Domain error codes this message may answer with (besides the gateway's own codes). */
  domainErrors: readonly DomainErrorCode[];
}

const WEIGHTS_SCHEMA: JsonSchema = {
  type: 'array',
  minItems: 2,
  maxItems: MAX_WEIGHT_CLASSES,
  items: { type: 'integer', minimum: 1, maximum: MAX_WEIGHT },
  description: 'A weighted election: one authority key per weight (docs/methods.md "Weighted voters", fingerprint version 4); voters get theirs from the import\'s `weight` column.',
};

const position: JsonSchema = { type: 'integer', description: 'Global log position of the last event written.' };

export const MESSAGE_CATALOGUE: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'election.create',
    adminOnly: true,
    summary: 'Create an election in state REGISTER. With `trustees` (the transcript of `evote ceremony`) the ballot key is the trustees\' and the server holds no counter key; `witnesses` names the witnesses\' keys the audit counts by default (both enter the election fingerprint, version 2); `form`, `method` and `seats` fix the ballot form and counting method (docs/methods.md; fingerprint version 3 unless single choice and plurality).',
    payload: strictObject(
      { theme, choices, expectedVoters, electionId, trustees: TRANSCRIPT_SCHEMA, witnesses: { type: 'array', maxItems: MAX_NAMED_WITNESSES, items: { type: 'string', pattern: WITNESS_VKEY_PATTERN } }, form: BALLOT_FORM_SCHEMA, method: METHOD_SCHEMA, seats: SEATS_SCHEMA, weights: WEIGHTS_SCHEMA },
      ['theme', 'choices', 'expectedVoters'],
    ),
    result: {
      description: 'The election id (generated unless given) and the log position.',
      schema: { type: 'object', required: ['electionId', 'position'], properties: { electionId: { type: 'string' }, position } },
    },
    domainErrors: ['ELECTION_ALREADY_EXISTS', 'INVALID_THEME', 'INVALID_CHOICES', 'INVALID_EXPECTED_VOTERS', 'INVALID_TRUSTEES', 'INVALID_WITNESSES', 'INVALID_BALLOT_FORM', 'INVALID_METHOD', 'METHOD_FORM_MISMATCH', 'INVALID_SEATS', 'INVALID_WEIGHTS', 'COUNT_OUT_OF_RANGE', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'election.configure',
    adminOnly: true,
    summary: 'Change theme, choices, expected voters or closing time (null clears it) while in REGISTER.',
    payload: strictObject(
      { electionId, theme, choices, expectedVoters, closesAt: { oneOf: [isoDateTime, { type: 'null' }] } },
      ['electionId'],
    ),
    result: { description: 'The log position.', schema: { type: 'object', required: ['position'], properties: { position } } },
    domainErrors: [
      'ELECTION_NOT_FOUND',
      'WRONG_STATE',
      'INVALID_THEME',
      'INVALID_CHOICES',
      'INVALID_EXPECTED_VOTERS',
      'INVALID_CLOSING_TIME',
      'TOO_MANY_VOTERS',
      'INVALID_BALLOT_FORM',
      'COUNT_OUT_OF_RANGE',
      'CONCURRENCY_CONFLICT',
    ],
  },
  {
    kind: 'command',
    name: 'election.registerVoter',
    adminOnly: true,
    summary: "Register one voter by e-mail address; in a weighted election, with `weight` naming the voter's class.",
    payload: strictObject(
      { electionId, email: { type: 'string', minLength: 3, maxLength: EMAIL_MAX_LENGTH }, weight: { type: 'integer', minimum: 1, maximum: MAX_WEIGHT } },
      ['electionId', 'email'],
    ),
    result: {
      description: 'The new voter id and the log position.',
      schema: { type: 'object', required: ['voterId', 'position'], properties: { voterId: { type: 'string' }, position } },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'INVALID_EMAIL', 'DUPLICATE_VOTER', 'TOO_MANY_VOTERS', 'INVALID_WEIGHT', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'election.importVoters',
    adminOnly: true,
    summary: 'Register voters from a CSV with a header row holding an `email` column and, in a weighted election, a `weight` column naming each voter\'s class; re-runnable (already registered rows are skipped).',
    payload: strictObject(
      {
        electionId,
        csv: { type: 'string', minLength: 1, maxLength: MAX_CSV_CHARS },
        batchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
      ['electionId', 'csv'],
    ),
    progress: true,
    result: {
      description: 'Rows imported and skipped, and the log position.',
      schema: {
        type: 'object',
        required: ['imported', 'skipped', 'position'],
        properties: { imported: { type: 'integer' }, skipped: { type: 'integer' }, position },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'INVALID_CSV', 'INVALID_EMAIL', 'DUPLICATE_VOTER', 'TOO_MANY_VOTERS', 'INVALID_WEIGHT', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'election.start',
    adminOnly: true,
    summary: 'Open voting (REGISTER → VOTE_STARTED).',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The log position.', schema: { type: 'object', required: ['position'], properties: { position } } },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'NO_VOTERS', 'WEIGHT_CLASS_TOO_SMALL', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'election.end',
    adminOnly: true,
    summary: 'Close voting (VOTE_STARTED → VOTE_ENDED, final).',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The log position.', schema: { type: 'object', required: ['position'], properties: { position } } },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'query',
    name: 'election.get',
    adminOnly: false,
    summary: 'One election from the read model.',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The election row.', schema: ELECTION_ROW_SCHEMA },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'query',
    name: 'election.list',
    adminOnly: false,
    summary: 'Every election from the read model.',
    payload: strictObject({}),
    result: {
      description: 'The election rows.',
      schema: { type: 'object', required: ['elections'], properties: { elections: { type: 'array', items: ELECTION_ROW_SCHEMA } } },
    },
    domainErrors: [],
  },
  {
    kind: 'query',
    name: 'voters.list',
    adminOnly: true,
    summary: `A page of registered voters, in registration order (limit default ${DEFAULT_VOTERS_PAGE}, at most ${MAX_VOTERS_PAGE}).`,
    payload: strictObject(
      {
        electionId,
        offset: { type: 'integer', minimum: 0, maximum: 100_000_000 },
        limit: { type: 'integer', minimum: 1, maximum: MAX_VOTERS_PAGE },
      },
      ['electionId'],
    ),
    result: {
      description: 'The page, with the offset and limit applied.',
      schema: {
        type: 'object',
        required: ['voters', 'offset', 'limit'],
        properties: { voters: { type: 'array', items: VOTER_ROW_SCHEMA }, offset: { type: 'integer' }, limit: { type: 'integer' } },
      },
    },
    domainErrors: [],
  },
  {
    kind: 'query',
    name: 'voters.count',
    adminOnly: false,
    summary: 'How many voters are registered (0 for an unknown election).',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The count.', schema: { type: 'object', required: ['count'], properties: { count: { type: 'integer' } } } },
    domainErrors: [],
  },
  {
    kind: 'subscribe',
    name: 'election',
    adminOnly: false,
    summary:
      'Subscribe to an election: the reply carries the current row, then every transition with a greater position is pushed, in order, as {kind: "event", subscription: <this request id>, name: "election.transition", payload}.',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The election row at subscription time (the snapshot).', schema: ELECTION_ROW_SCHEMA },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'unsubscribe',
    name: 'election',
    adminOnly: false,
    summary: 'Stop the pushes of a subscription of this connection.',
    payload: strictObject({ subscription: { type: 'string', minLength: 1, maxLength: MAX_REQUEST_ID_LENGTH } }, ['subscription']),
    result: {
      description: 'Confirmation.',
      schema: { type: 'object', required: ['unsubscribed'], properties: { unsubscribed: { const: true } } },
    },
    domainErrors: [],
  },
];

export const catalogueKey = (kind: MessageKind, name: string) => `${kind}:${name}`;
