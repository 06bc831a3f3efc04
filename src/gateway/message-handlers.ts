/**
 * Commands and queries by catalogue key, mapped onto the service ports. Payloads arrive already
 * validated against src/gateway/schemas.ts, so the casts below only restate those schemas.
 */
import type { ElectionCommandHandlers, ImportProgress, ReadModelQueries, Result } from '../app/services.ts';
import { domainError } from '../domain/errors.ts';
import { DEFAULT_VOTERS_PAGE, catalogueKey } from './schemas.ts';

export interface HandlerContext {
  onProgress(p: ImportProgress): void;
}

export type MessageHandler = (payload: Record<string, unknown>, ctx: HandlerContext) => Promise<Result<unknown>>;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function createMessageHandlers(commands: ElectionCommandHandlers, queries: ReadModelQueries): Map<string, MessageHandler> {
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('command', 'election.create'), (p) => commands.createElection(p as Parameters<ElectionCommandHandlers['createElection']>[0])],
    [catalogueKey('command', 'election.configure'), (p) => commands.configureElection(p as Parameters<ElectionCommandHandlers['configureElection']>[0])],
    [catalogueKey('command', 'election.registerVoter'), (p) => commands.registerVoter(p as Parameters<ElectionCommandHandlers['registerVoter']>[0])],
    [
      catalogueKey('command', 'election.importVoters'),
      (p, ctx) => commands.importVoters(p as Parameters<ElectionCommandHandlers['importVoters']>[0], (progress) => ctx.onProgress(progress)),
    ],
    [catalogueKey('command', 'election.start'), (p) => commands.startVoting(p as { electionId: string })],
    [catalogueKey('command', 'election.end'), (p) => commands.endVoting(p as { electionId: string })],
    [
      catalogueKey('query', 'election.get'),
      async (p) => {
        const electionId = p.electionId as string;
        const row = await queries.getElection(electionId);
        return row ? ok(row) : { ok: false, error: domainError('ELECTION_NOT_FOUND', `election ${electionId} not found`) };
      },
    ],
    [catalogueKey('query', 'election.list'), async () => ok({ elections: await queries.listElections() })],
    [
      catalogueKey('query', 'voters.list'),
      async (p) => {
        const page = { offset: (p.offset as number | undefined) ?? 0, limit: (p.limit as number | undefined) ?? DEFAULT_VOTERS_PAGE };
        return ok({ voters: await queries.listVoters(p.electionId as string, page), ...page });
      },
    ],
    [catalogueKey('query', 'voters.count'), async (p) => ok({ count: await queries.countVoters(p.electionId as string) })],
  ];
  return new Map(handlers);
}

/** The log position a successful command reached, for read-your-writes. */
export function commandPosition(value: unknown): number | undefined {
  const position = (value as { position?: unknown } | null)?.position;
  return typeof position === 'number' && Number.isFinite(position) ? position : undefined;
}
