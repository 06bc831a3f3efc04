/**
 * A small in-test implementation of the command and query ports, so the gateway's protocol can be
 * tested while the real command handlers and projections are written elsewhere. It keeps the ports'
 * contracts that matter to the gateway: domain errors as values, increasing positions, transitions
 * published on the election channel after the "read model" changed, progress during imports.
 */
import type { ElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import type { ElectionRow, ElectionTransition, ReadModelQueries, VoterRow } from '../../src/projections/read-models.ts';
import type { PubSub } from '../../src/pubsub/port.ts';
import type { Result } from '../../src/domain/errors.ts';
import { electionChannel } from '../../src/pubsub/port.ts';
import { startGateway, type Gateway, type GatewayDeps } from '../../src/gateway/gateway.ts';
import { createMetricsRegistry } from '../../src/runtime/metrics.ts';
import { domainError, type DomainError } from '../../src/domain/errors.ts';

export interface InMemoryElectionServices {
  commands: ElectionCommandHandlers;
  queries: ReadModelQueries;
  /** Makes the next calls of a command wait until the returned function is called. */
  hold(command: keyof ElectionCommandHandlers): () => void;
  position(): number;
}

/** A theme that makes createElection throw, to exercise the INTERNAL path. */
export const EXPLODING_THEME = 'explode';
export const INTERNAL_FAILURE_TEXT = 'db password=hunter2 leaked in an exception';

export function createInMemoryElectionServices(pubsub: PubSub): InMemoryElectionServices {
  let position = 0;
  let ids = 0;
  const elections = new Map<string, ElectionRow>();
  const voters = new Map<string, VoterRow[]>();
  const holds = new Map<string, Promise<void>>();

  const now = () => new Date().toISOString();
  const fail = (e: DomainError): Result<never> => ({ ok: false, error: e });
  const publish = (t: ElectionTransition) => pubsub.publish(electionChannel(t.electionId), t);
  const waitHold = async (name: string) => {
    await holds.get(name);
  };
  const get = (electionId: string): ElectionRow | DomainError =>
    elections.get(electionId) ?? domainError('ELECTION_NOT_FOUND', `election ${electionId} not found`);

  const update = async (row: ElectionRow, transition: 'configured' | 'started' | 'ended', patch: Partial<ElectionRow>) => {
    Object.assign(row, patch, { position: ++position });
    await publish({ electionId: row.electionId, transition, status: row.status, position: row.position, election: { ...row } });
    return row.position;
  };

  const addVoters = (row: ElectionRow, emails: string[]) => {
    const list = voters.get(row.electionId) ?? [];
    voters.set(row.electionId, list);
    for (const email of emails) list.push({ voterId: `v${++ids}`, electionId: row.electionId, email, registeredAt: now() });
    row.voterCount = list.length;
    row.position = ++position;
    return list[list.length - 1]!.voterId;
  };

  const commands: ElectionCommandHandlers = {
    async createElection(input) {
      await waitHold('createElection');
      if (input.theme === EXPLODING_THEME) throw new Error(INTERNAL_FAILURE_TEXT);
      const electionId = input.electionId ?? `e${++ids}`;
      if (elections.has(electionId)) return fail(domainError('ELECTION_ALREADY_EXISTS', `election ${electionId} exists`));
      const row: ElectionRow = {
        electionId,
        theme: input.theme,
        choices: input.choices,
        expectedVoters: input.expectedVoters,
        status: 'REGISTER',
        voterCount: 0,
        closesAt: null,
        createdAt: now(),
        startedAt: null,
        endedAt: null,
        position: ++position,
      };
      elections.set(electionId, row);
      await publish({ electionId, transition: 'created', status: row.status, position: row.position, election: { ...row } });
      return { ok: true, value: { electionId, position: row.position } };
    },
    async configureElection(input) {
      await waitHold('configureElection');
      const row = get(input.electionId);
      if ('kind' in row) return fail(row);
      if (row.status !== 'REGISTER') return fail(domainError('WRONG_STATE', `election is ${row.status}`, { status: row.status }));
      const { electionId: _ignored, ...patch } = input;
      return { ok: true, value: { position: await update(row, 'configured', patch) } };
    },
    async registerVoter(input) {
      await waitHold('registerVoter');
      const row = get(input.electionId);
      if ('kind' in row) return fail(row);
      if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) return fail(domainError('INVALID_EMAIL', 'not an e-mail address'));
      if (voters.get(row.electionId)?.some((v) => v.email === input.email)) return fail(domainError('DUPLICATE_VOTER', 'already registered'));
      const voterId = addVoters(row, [input.email]);
      await publish({ electionId: row.electionId, transition: 'voterCount', status: row.status, position: row.position, voterCount: row.voterCount });
      return { ok: true, value: { voterId, position: row.position } };
    },
    async importVoters(input, onProgress) {
      await waitHold('importVoters');
      const row = get(input.electionId);
      if ('kind' in row) return fail(row);
      const [header, ...lines] = input.csv.trim().split('\n');
      if (header?.trim() !== 'email') return fail(domainError('INVALID_CSV', 'the header must be "email"', { line: 1 }));
      const batchSize = input.batchSize ?? 1000;
      let done = 0;
      let skipped = 0;
      for (let i = 0; i < lines.length; i += batchSize) {
        const known = new Set(voters.get(row.electionId)?.map((v) => v.email));
        const batch = lines.slice(i, i + batchSize).map((l) => l.trim());
        const fresh = batch.filter((e) => !known.has(e));
        skipped += batch.length - fresh.length;
        if (fresh.length > 0) addVoters(row, fresh);
        done += fresh.length;
        await publish({ electionId: row.electionId, transition: 'voterCount', status: row.status, position: row.position, voterCount: row.voterCount });
        onProgress?.({ done, total: lines.length, skipped });
        // Yield like real I/O would, so progress frames leave before the reply.
        await new Promise((r) => setImmediate(r));
      }
      return { ok: true, value: { imported: done, skipped, position: row.position } };
    },
    async startVoting(input) {
      await waitHold('startVoting');
      const row = get(input.electionId);
      if ('kind' in row) return fail(row);
      if (row.status !== 'REGISTER') return fail(domainError('WRONG_STATE', `election is ${row.status}`, { status: row.status }));
      if (row.voterCount === 0) return fail(domainError('NO_VOTERS', 'no voter registered'));
      return { ok: true, value: { position: await update(row, 'started', { status: 'VOTE_STARTED', startedAt: now() }) } };
    },
    async endVoting(input) {
      await waitHold('endVoting');
      const row = get(input.electionId);
      if ('kind' in row) return fail(row);
      if (row.status !== 'VOTE_STARTED') return fail(domainError('WRONG_STATE', `election is ${row.status}`, { status: row.status }));
      return { ok: true, value: { position: await update(row, 'ended', { status: 'VOTE_ENDED', endedAt: now() }) } };
    },
  };

  const queries: ReadModelQueries = {
    async getElection(id) {
      const row = elections.get(id);
      return row && { ...row };
    },
    async listElections() {
      return [...elections.values()].map((r) => ({ ...r }));
    },
    async listVoters(id, page) {
      return (voters.get(id) ?? []).slice(page.offset, page.offset + page.limit);
    },
    async countVoters(id) {
      return voters.get(id)?.length ?? 0;
    },
  };

  return {
    commands,
    queries,
    hold(command) {
      let release!: () => void;
      holds.set(command, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(command);
        release();
      };
    },
    position: () => position,
  };
}

/**
 * The real gateway over these in-memory services, on an ephemeral port: fresh metrics and no
 * readiness checks unless `overrides` say otherwise.
 */
export function startInMemoryGateway(
  services: Pick<InMemoryElectionServices, 'commands' | 'queries'>,
  pubsub: PubSub,
  adminToken: string,
  overrides: Partial<GatewayDeps> = {},
): Promise<Gateway> {
  return startGateway({ commands: services.commands, queries: services.queries, pubsub, metrics: createMetricsRegistry(), adminToken, readiness: [], ...overrides });
}
