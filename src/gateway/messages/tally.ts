/** The tally's messages: `tally.run` (admin, with progress), `tally.results`, `ballots.receiptByCommitment` and the trustees' (trustees.ts). */
import type { Result } from '../../domain/errors.ts';
import { domainError } from '../../domain/errors.ts';
import { VOTE_STATUSES } from '../../domain/tally-events.ts';
import type { TallyQueries } from '../../projections/tally-queries.ts';
import type { TallyOutcome, TallyProgress } from '../../tally/tally-run.ts';
import { MAX_POOL_SIZE } from '../../tally/pool.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId, sha256HexSchema } from '../schema-parts.ts';
import type { TrusteeSubmissions } from '../../tally/trustee-submissions.ts';
import { TRUSTEE_MESSAGE_SPECS, trusteeMessageHandlers } from './trustees.ts';

const position: JsonSchema = { type: 'integer' };
// The same form as isN2Commitment: 64 lowercase hex digits.
const n2Commitment: JsonSchema = { ...sha256HexSchema, description: 'n2Commitment(N2, salt) from the receipt file (src/crypto/n2-commitment.ts).' };
const counts: JsonSchema = { type: 'object', additionalProperties: { type: 'integer' } };
const statuses: JsonSchema = {
  type: 'object',
  required: [...VOTE_STATUSES],
  properties: Object.fromEntries(VOTE_STATUSES.map((s) => [s, { type: 'integer' }])),
};

/** One RoundCounted; the read model (`tally.results`) leaves out its `detail`, which stays in the log. */
const round = (withDetail: boolean): JsonSchema => ({
  type: 'object',
  required: ['round', 'tallies', 'elected', 'eliminated'],
  properties: {
    round: { type: 'integer' },
    tallies: { type: 'array', items: { type: ['integer', 'string'] } },
    elected: { type: 'array', items: { type: 'integer' } },
    eliminated: { type: 'array', items: { type: 'integer' } },
    tieBreak: { type: 'string' },
    ...(withDetail && { detail: { type: 'object' } }),
  },
});

const outcome: JsonSchema = {
  type: 'object',
  description: 'Once published, in an election counted by its method (ballot rules) only; `counts` is then {}.',
  required: ['method', 'unit', 'winners', 'rounds'],
  properties: {
    method: { type: 'string', description: 'The counting method (docs/methods.md).' },
    unit: { type: 'string', description: "The unit of every round's `tallies` (stv-scottish: integers in 10^-5 vote)." },
    winners: { type: 'array', items: { type: 'string' }, description: "Candidates' names in order of election." },
    rounds: { type: 'array', description: 'The RoundCounted events in order, without `detail`: candidates by index into the choices.', items: round(false) },
  },
};

export const TALLY_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'tally.run',
    adminOnly: true,
    summary:
      'Count every ballot cast before VotingEnded (worker-thread pool; `workers` defaults to the core count), append one VoteCounted per ballot, then (elections with ballot rules) one RoundCounted per round of the method and TallyPublished with the winners, in one append. Resumable; re-running a published tally returns it. Progress messages carry {done, total}.',
    payload: strictObject({ electionId, workers: { type: 'integer', minimum: 1, maximum: MAX_POOL_SIZE } }, ['electionId']),
    progress: true,
    result: {
      description: 'The published tally and the log position of TallyPublished; `excluded` counts ballots left out (after VotingEnded, or byte-identical repeats).',
      schema: {
        type: 'object',
        required: ['electionId', 'counts', 'statuses', 'ballots', 'publishedAt', 'position'],
        properties: {
          electionId: { type: 'string' },
          counts,
          statuses,
          ballots: { type: 'integer' },
          publishedAt: { type: 'string' },
          position,
          excluded: { type: 'object', properties: { afterEnd: { type: 'integer' }, repeats: { type: 'integer' } } },
          faultyTrustees: { type: 'array', items: { type: 'string' }, description: 'Trustee elections: trustees named (TrusteeFaulted) by this run.' },
          method: { type: 'string', description: 'Elections with ballot rules: the counting method (docs/methods.md); `counts` is then {}.' },
          unit: { type: 'string', description: 'The unit of every round\'s `tallies`.' },
          winners: { type: 'array', items: { type: 'string' }, description: "Candidates' names in order of election." },
          rounds: { type: 'array', description: 'The RoundCounted events, in order: candidates by index into the choices.', items: round(true) },
        },
      },
    },
    domainErrors: [
      'ELECTION_NOT_FOUND',
      'WRONG_STATE',
      'COUNTER_KEY_UNAVAILABLE',
      'NOT_ENOUGH_TRUSTEES',
      'CONCURRENCY_CONFLICT',
      'ALREADY_COUNTED',
      'UNEXPECTED_BALLOT',
      'TALLY_INCOMPLETE',
      'INVALID_CHOICES',
    ],
  },
  {
    kind: 'query',
    name: 'tally.results',
    adminOnly: false,
    summary:
      'The tally of an election: counts per choice once published ({} before), ballots per status, ballots covered and counted so far; an election counted by its method adds its `outcome` (method, winners, rounds) once published.',
    payload: strictObject({ electionId }, ['electionId']),
    result: {
      description: 'Results; `published` false until TallyPublished.',
      schema: {
        type: 'object',
        required: ['counts', 'statuses', 'ballots', 'counted', 'published', 'publishedAt'],
        properties: {
          counts,
          statuses,
          ballots: { type: 'integer' },
          counted: { type: 'integer' },
          published: { type: 'boolean' },
          publishedAt: { type: ['string', 'null'] },
          outcome,
        },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'query',
    name: 'ballots.receiptByCommitment',
    adminOnly: false,
    summary:
      "A voter's receipt by the N2 commitment their ballot carried (computed by the client from the receipt file's N2 and salt): how that ballot was counted. The letter's N2 alone cannot ask; whoever holds the receipt file sees the choice (docs/tally.md, coercion).",
    payload: strictObject({ electionId, n2Commitment }, ['electionId', 'n2Commitment']),
    result: {
      description: 'The earliest counted ballot carrying this commitment; `duplicates` counts later ones.',
      schema: {
        type: 'object',
        required: ['ballotHash', 'status', 'choice', 'position', 'countedPosition', 'duplicates'],
        properties: {
          ballotHash: { type: 'string' },
          status: { enum: [...VOTE_STATUSES] },
          choice: { type: ['string', 'null'] },
          position: { type: 'integer', description: 'Log position of the BallotCast (as in the cast receipt).' },
          countedPosition: { type: 'integer', description: 'Log position of its VoteCounted.' },
          duplicates: { type: 'integer' },
        },
      },
    },
    domainErrors: ['BALLOT_NOT_FOUND'],
  },
];

export interface TallyModuleDeps {
  run(input: { electionId: string; workers?: number }, onProgress: (p: TallyProgress) => void): Promise<Result<TallyOutcome>>;
  queries: TallyQueries;
  electionExists(electionId: string): Promise<boolean>;
  trustees: TrusteeSubmissions;
}

export function tallyMessageModule(deps: TallyModuleDeps): MessageModule {
  const handlers: [string, MessageHandler][] = [
    [
      catalogueKey('command', 'tally.run'),
      (p, ctx) =>
        deps.run({ electionId: p.electionId as string, workers: p.workers as number | undefined }, ({ done, total }) => ctx.onProgress({ done, total })),
    ],
    [
      catalogueKey('query', 'tally.results'),
      async (p): Promise<Result<unknown>> => {
        const id = p.electionId as string;
        if (!(await deps.electionExists(id))) return { ok: false, error: domainError('ELECTION_NOT_FOUND', 'no such election', { electionId: id }) };
        return { ok: true, value: await deps.queries.results(id) };
      },
    ],
    [
      catalogueKey('query', 'ballots.receiptByCommitment'),
      async (p): Promise<Result<unknown>> => {
        const receipt = await deps.queries.receiptByCommitment(p.electionId as string, p.n2Commitment as string);
        // The same answer for "no such commitment" and "not counted yet": nothing to learn about other voters.
        return receipt
          ? { ok: true, value: receipt }
          : { ok: false, error: domainError('BALLOT_NOT_FOUND', 'no counted ballot carries this N2 commitment (yet)') };
      },
    ],
    ...trusteeMessageHandlers(deps.trustees),
  ];
  return { name: 'tally', specs: [...TALLY_MESSAGE_SPECS, ...TRUSTEE_MESSAGE_SPECS], handlers: new Map(handlers) };
}
