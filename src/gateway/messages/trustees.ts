/**
 * The trustees' messages (docs/trustees.md): `tally.trustees` shows the transcript and progress; `tally.trusteeBallots` pages the c0 of the ballots a
 * trustee election's tally covers; `tally.submitPartials` takes one signed batch of a trustee's
 * partial decryptions. No admin token: a batch is authenticated by the trustee's identity key.
 */
import type { Result } from '../../domain/errors.ts';
import { MAX_TRUSTEES } from '../../domain/trustees.ts';
import { MAX_PARTIALS_BATCH, MAX_TRUSTEE_BALLOTS_PAGE, type PartialsSubmission, type TrusteeSubmissions } from '../../tally/trustee-submissions.ts';
import type { MessageHandler } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId, sha256HexSchema } from '../schema-parts.ts';
import { ed25519SignatureSchema, TRANSCRIPT_SCHEMA } from '../trustee-schemas.ts';

const int: JsonSchema = { type: 'integer' };
const position: JsonSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
/** A partial's value `index.x` (src/tally/partial-text.ts, docs/trustees.md "The trustees decrypt"). */
const partialText: JsonSchema = { type: 'string', minLength: 3, maxLength: 1500, pattern: '^[1-9][0-9]{0,2}\\.[A-Za-z0-9_-]+$' };
/** A batch's one proof `c.z`: base64url integers joined by '.'. */
const proofText: JsonSchema = { type: 'string', minLength: 1, maxLength: 1600, pattern: '^[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*$' };
const trusteeIndex: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES };

export const TRUSTEE_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'query',
    name: 'tally.trustees',
    adminOnly: false,
    summary: "A trustee election's key ceremony transcript (TrusteesAppointed) and, per trustee index, how many ballots have its partial decryption.",
    payload: strictObject({ electionId }, ['electionId']),
    result: {
      description: 'The transcript as in the log, and `submitted` counts keyed by trustee index.',
      schema: { type: 'object', required: ['transcript', 'submitted'], properties: { transcript: TRANSCRIPT_SCHEMA, submitted: { type: 'object', additionalProperties: int } } },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'NOT_A_TRUSTEE_ELECTION'],
  },
  {
    kind: 'query',
    name: 'tally.trusteeBallots',
    adminOnly: false,
    summary: `A trustee election after VotingEnded: the ballots its tally covers (cast before VotingEnded, the first copy of each), in log order, with position above \`after\` (limit at most ${MAX_TRUSTEE_BALLOTS_PAGE}); c0 is the KEM ciphertext each trustee decrypts. With \`missingFor\` (a trustee index), only the ballots that trustee has no stored partial for: a re-run decrypts only those.`,
    payload: strictObject(
      {
        electionId,
        after: position,
        limit: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEE_BALLOTS_PAGE },
        missingFor: { ...trusteeIndex, description: 'Only ballots without a stored partial from this trustee.' },
      },
      ['electionId'],
    ),
    result: {
      description: 'A page of {position, ballotHash, c0}; `next` is the `after` of the next page, or null.',
      schema: {
        type: 'object',
        required: ['ballots', 'next'],
        properties: {
          ballots: { type: 'array', items: { type: 'object', required: ['position', 'ballotHash', 'c0'], properties: { position: int, ballotHash: { type: 'string' }, c0: { type: 'string' } } } },
          next: { type: ['integer', 'null'] },
        },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'NOT_A_TRUSTEE_ELECTION', 'WRONG_STATE'],
  },
  {
    kind: 'command',
    name: 'tally.submitPartials',
    adminOnly: false,
    summary:
      "One batch of a trustee's partial decryptions: per ballot the value `index.x`, and one proof for the whole batch over the ballots in the order listed (partialDecryptBatch), signed with the trustee's identity key (Ed25519 over partialsBatchText, which covers the values and the proof). Idempotent: a partial with the value x already stored for this trustee and ballot is a repeat (nothing stored; the first batch and its proof stay); another x is PARTIALS_CONFLICT and nothing of the batch is stored.",
    payload: strictObject(
      {
        electionId,
        trusteeIndex,
        batch: { type: 'integer', minimum: 0, maximum: 10_000_000 },
        partials: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_PARTIALS_BATCH,
          items: strictObject({ ballotHash: sha256HexSchema, partial: partialText }, ['ballotHash', 'partial']),
        },
        proof: proofText,
        signature: ed25519SignatureSchema,
      },
      ['electionId', 'trusteeIndex', 'batch', 'partials', 'proof', 'signature'],
    ),
    result: { description: 'Partials newly stored (0 for a repeat) and the batch number.', schema: { type: 'object', required: ['stored', 'batch'], properties: { stored: int, batch: int } } },
    domainErrors: ['ELECTION_NOT_FOUND', 'NOT_A_TRUSTEE_ELECTION', 'WRONG_STATE', 'INVALID_TRUSTEE_SIGNATURE', 'INVALID_PARTIALS', 'PARTIALS_CONFLICT'],
  },
];

export function trusteeMessageHandlers(trustees: TrusteeSubmissions): [string, MessageHandler][] {
  return [
    [catalogueKey('query', 'tally.trustees'), (p): Promise<Result<unknown>> => trustees.overview(p.electionId as string)],
    [
      catalogueKey('query', 'tally.trusteeBallots'),
      (p): Promise<Result<unknown>> =>
        trustees.ballots(p.electionId as string, { after: p.after as number | undefined, limit: p.limit as number | undefined, missingFor: p.missingFor as number | undefined }),
    ],
    [catalogueKey('command', 'tally.submitPartials'), (p): Promise<Result<unknown>> => trustees.submit(p as unknown as PartialsSubmission)],
  ];
}
