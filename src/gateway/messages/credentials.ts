/** Credential messages: `credentials.issue` (admin, with progress) and `credentials.count` (public). */
import type { Result } from '../../domain/errors.ts';
import type { CredentialIssuer, IssuanceSummary, IssueCredentialsInput } from '../../commands/credential-issuance.ts';
import type { CredentialCounts } from '../../projections/credentials-projection.ts';
import type { DeliveryChannel } from '../../domain/voter-events.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { electionIdSchema as electionId } from '../schema-parts.ts';

/** A folder name under the server's letters root: no separators, no dot-dot, nothing absolute. */
const outDir: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$', description: 'Postal letters: sub-folder of the letters root.' };
const integer: JsonSchema = { type: 'integer' };

const SPECS: MessageSpec[] = [
  {
    kind: 'command',
    name: 'credentials.issue',
    adminOnly: true,
    summary:
      'Issue a credential letter to every registered voter not yet served (VOTE_STARTED only), by e-mail (SMTP_URL) or as printable letters (PDF + PNG per voter) under the letters root. Re-runnable: a re-run serves only voters without a credential, failed deliveries included.',
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['electionId', 'channel'],
      properties: { electionId, channel: { enum: ['email', 'letter'] }, outDir },
    },
    progress: true,
    result: {
      description: 'Voters served, failed and skipped by this run; credentials minted (decoys included); the log position.',
      schema: {
        type: 'object',
        required: ['total', 'issued', 'failed', 'alreadyIssued', 'minted', 'position'],
        properties: { total: integer, issued: integer, failed: integer, alreadyIssued: integer, minted: integer, position: integer },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'DELIVERY_NOT_CONFIGURED', 'ISSUANCE_IN_PROGRESS', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'query',
    name: 'credentials.count',
    adminOnly: false,
    summary: 'How many credentials an election minted, and how many were used to cast a ballot (0/0 for an unknown election).',
    payload: { type: 'object', additionalProperties: false, required: ['electionId'], properties: { electionId } },
    result: { description: 'The counts.', schema: { type: 'object', required: ['minted', 'used'], properties: { minted: integer, used: integer } } },
    domainErrors: [],
  },
];

export interface CredentialMessageDeps {
  issuer: CredentialIssuer;
  countCredentials(electionId: string): Promise<CredentialCounts>;
  /** The folder letters of `outDir` (or of the election, by default) are written to. */
  lettersDir(electionId: string, outDir: string | undefined): string;
}

export function credentialMessageModule(deps: CredentialMessageDeps): MessageModule {
  const issue: MessageHandler = async (p, ctx): Promise<Result<IssuanceSummary>> => {
    const input: IssueCredentialsInput = { electionId: p.electionId as string, channel: p.channel as DeliveryChannel };
    if (input.channel === 'letter') input.outDir = deps.lettersDir(input.electionId, p.outDir as string | undefined);
    return deps.issuer.issue(input, (progress) => ctx.onProgress({ ...progress }));
  };
  const count: MessageHandler = async (p) => ({ ok: true, value: await deps.countCredentials(p.electionId as string) });
  return {
    name: 'credentials',
    specs: SPECS,
    handlers: new Map<string, MessageHandler>([
      [catalogueKey('command', 'credentials.issue'), issue],
      [catalogueKey('query', 'credentials.count'), count],
    ]),
  };
}
