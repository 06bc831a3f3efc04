/** Commands and queries by catalogue key onto the service ports; payloads arrive already validated. */
import type { ElectionCommandHandlers } from '../commands/election-command-handlers.ts';
import type { ReadModelQueries } from '../projections/read-models.ts';
import type { Result } from '../domain/errors.ts';
import { domainError } from '../domain/errors.ts';
import { DEFAULT_VOTERS_PAGE } from '../projections/queries.ts';
import { MESSAGE_CATALOGUE, catalogueKey, type MessageSpec } from './schemas.ts';

/** Per-connection state of feature modules, keyed by module, in this process's memory only. */
export interface ConnectionContext {
  /** Random per connection; never derived from the client. */
  readonly id: string;
  readonly state: Map<string, unknown>;
  /** The peer's address and X-Forwarded-For header as the upgrade saw them (login limits per source). */
  readonly remoteAddress?: string;
  readonly forwardedFor?: string;
}

export interface HandlerContext {
  /** The envelope's `token`, unverified: admin-only specs are checked before the handler runs; voter tokens are the handler's to check. */
  token?: string;
  connection: ConnectionContext;
  /** Sends `{id, kind: 'progress', payload}` before the final reply. */
  onProgress(p: Record<string, unknown>): void;
}

export type MessageHandler = (payload: Record<string, unknown>, ctx: HandlerContext) => Promise<Result<unknown>>;

/** Sends `{kind: 'event', subscription, name, payload}` on the subscribing socket (slow sockets are closed, 1013). */
export type SubscriptionPush = (name: string, payload: unknown) => void;

/** A feature's own subscription kind: answers the snapshot and a release function for unsubscribe or close. */
export type SubscriptionHandler = (
  payload: Record<string, unknown>,
  push: SubscriptionPush,
  ctx: HandlerContext,
) => Promise<Result<{ snapshot: unknown; release(): Promise<void> }>>;

/** A feature's messages: their catalogue entries (schemas) and handlers, keyed by catalogueKey(kind, name). */
export interface MessageModule {
  name: string;
  specs: readonly MessageSpec[];
  handlers: Map<string, MessageHandler>;
  /** Handlers of this module's `subscribe` specs, by spec name. */
  subscriptions?: Map<string, SubscriptionHandler>;
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function createMessageHandlers(commands: ElectionCommandHandlers, queries: ReadModelQueries): Map<string, MessageHandler> {
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('command', 'election.create'), (p) => commands.createElection(p as Parameters<ElectionCommandHandlers['createElection']>[0])],
    [catalogueKey('command', 'election.configure'), (p) => commands.configureElection(p as Parameters<ElectionCommandHandlers['configureElection']>[0])],
    [catalogueKey('command', 'election.registerVoter'), (p) => commands.registerVoter(p as Parameters<ElectionCommandHandlers['registerVoter']>[0])],
    [
      catalogueKey('command', 'election.importVoters'),
      (p, ctx) => commands.importVoters(p as Parameters<ElectionCommandHandlers['importVoters']>[0], (progress) => ctx.onProgress({ ...progress })),
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

export function electionMessageModule(commands: ElectionCommandHandlers, queries: ReadModelQueries): MessageModule {
  return { name: 'election', specs: MESSAGE_CATALOGUE, handlers: createMessageHandlers(commands, queries) };
}

/** The log position a successful command reached, for read-your-writes. */
export function commandPosition(value: unknown): number | undefined {
  const position = (value as { position?: unknown } | null)?.position;
  return typeof position === 'number' && Number.isFinite(position) ? position : undefined;
}
