/** Credential messages: `credentials.issue` (admin, with progress) and `credentials.count` (public). */
import type { Result } from '../../domain/errors.ts';
import type { CredentialIssuer, IssuanceSummary, IssueCredentialsInput } from '../../commands/credential-issuance.ts';
import type { CredentialCounts } from '../../projections/credentials-projection.ts';
import type { DeliveryChannel } from '../../domain/voter-events.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { electionIdSchema as electionId } from '../schema-parts.ts';
import { lettersDownloadPath } from '../letters-route.ts';

/** A folder name under the server's letters root: no separators, no dot-dot, nothing absolute. */
const outDir: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$', description: 'Postal letters: sub-folder of the letters root.' };
const integer: JsonSchema = { type: 'integer' };
const voterId: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const channel: JsonSchema = { enum: ['email', 'letter'] };

const RESULT_PROPERTIES: Record<string, JsonSchema> = {
  total: integer,
  issued: integer,
  failed: integer,
  alreadyIssued: integer,
  minted: integer,
  position: integer,
  download: {
    type: 'string',
    description: 'Postal channel: the path of the one PDF holding every letter of this run (a page each), served to the admin only: GET it with `Authorization: Bearer <admin token>`.',
  },
  pages: { type: 'integer', description: 'Pages (letters) in the download.' },
};

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
      properties: { electionId, channel, outDir },
    },
    progress: true,
    result: {
      description: 'Voters served, failed and skipped by this run; credentials minted (decoys included); the log position; for postal letters, the download of all of them.',
      schema: { type: 'object', required: ['total', 'issued', 'failed', 'alreadyIssued', 'minted', 'position'], properties: RESULT_PROPERTIES },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'WRONG_STATE', 'DELIVERY_NOT_CONFIGURED', 'ISSUANCE_IN_PROGRESS', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'command',
    name: 'credentials.resend',
    adminOnly: true,
    summary:
      "Reissue one voter's letter (VOTE_STARTED only): a fresh credential, minted like any other (among decoys), whose secret code replaces the old one so the old letter no longer logs in. Refused once the voter has obtained a blind signature. The old letter's N1 stays minted: see docs/web.md, \"Resending a letter\", for why a voter holding both letters still has one counted vote.",
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['electionId', 'voterId', 'channel'],
      properties: { electionId, voterId, channel, outDir },
    },
    result: {
      description: 'As credentials.issue: issued 1, minted (decoys included), the log position; for a postal letter, its download.',
      schema: { type: 'object', required: ['total', 'issued', 'failed', 'alreadyIssued', 'minted', 'position'], properties: RESULT_PROPERTIES },
    },
    domainErrors: [
      'ELECTION_NOT_FOUND',
      'WRONG_STATE',
      'VOTER_NOT_FOUND',
      'ALREADY_SIGNED',
      'DELIVERY_FAILED',
      'DELIVERY_NOT_CONFIGURED',
      'ISSUANCE_IN_PROGRESS',
      'CONCURRENCY_CONFLICT',
    ],
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
  /** The folder the run's one printable PDF goes to (served by src/gateway/letters-route.ts). */
  printDir(folder: string): string;
}

/** The summary as answered: the letters PDF as its admin download path (src/gateway/letters-route.ts). */
function answer(r: Result<IssuanceSummary>, folder: string): Result<unknown> {
  if (!r.ok || !r.value.lettersPdf) return r;
  const { lettersPdf, ...rest } = r.value;
  return { ok: true, value: { ...rest, download: lettersDownloadPath(folder, lettersPdf.file), pages: lettersPdf.pages } };
}

export function credentialMessageModule(deps: CredentialMessageDeps): MessageModule {
  const folderOf = (p: Record<string, unknown>) => (p.outDir as string | undefined) ?? (p.electionId as string);
  const inputOf = (p: Record<string, unknown>): IssueCredentialsInput => {
    const input: IssueCredentialsInput = { electionId: p.electionId as string, channel: p.channel as DeliveryChannel };
    if (input.channel === 'letter') {
      input.outDir = deps.lettersDir(input.electionId, p.outDir as string | undefined);
      input.printDir = deps.printDir(folderOf(p));
    }
    return input;
  };
  const issue: MessageHandler = async (p, ctx) => answer(await deps.issuer.issue(inputOf(p), (progress) => ctx.onProgress({ ...progress })), folderOf(p));
  const resend: MessageHandler = async (p) => answer(await deps.issuer.resend({ ...inputOf(p), voterId: p.voterId as string }), folderOf(p));
  const count: MessageHandler = async (p) => ({ ok: true, value: await deps.countCredentials(p.electionId as string) });
  return {
    name: 'credentials',
    specs: SPECS,
    handlers: new Map<string, MessageHandler>([
      [catalogueKey('command', 'credentials.issue'), issue],
      [catalogueKey('command', 'credentials.resend'), resend],
      [catalogueKey('query', 'credentials.count'), count],
    ]),
  };
}
