/**
 * The `elections` read model and its live transitions; registrations are counted per election and
 * announced by ONE `voterCount` message per batch (docs/projections.md).
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import type { ElectionTransition } from './read-models.ts';
import { electionChannel } from '../pubsub/port.ts';
import type { ElectionConfigured, ElectionCreated, ElectionEvent, VotingEnded, VotingStarted } from '../domain/election-events.ts';
import { ELECTION_EVENT_TYPES } from '../domain/election-events.ts';
import type { Notification, Projection } from './projection.ts';
import { qb, run } from './query-builder.ts';
import { toElectionRow, type ElectionDbRow } from './row-mappers.ts';
import { ELECTION_STREAM_PREFIX } from '../domain/streams.ts';

export const ELECTIONS_TABLE = 'elections';

type Transition = ElectionTransition['transition'];
type Pending = { position: number; message: ElectionTransition };

export function electionsProjection(): Projection {
  return {
    name: 'elections',
    filter: { streamPrefixes: [ELECTION_STREAM_PREFIX], eventTypes: [...ELECTION_EVENT_TYPES] },

    async reset(tx) {
      await tx.query(`DELETE FROM ${ELECTIONS_TABLE}`);
    },

    async apply(tx, events) {
      const out: Pending[] = [];
      const unwritten = new Map<string, { count: number; position: number }>();
      // Overwritten by each write so it carries the final count.
      const voterCounts = new Map<string, Pending>();

      const writeCounts = async (electionId: string) => {
        const pending = unwritten.get(electionId);
        if (!pending) return;
        unwritten.delete(electionId);
        const row = await updateRow(tx, electionId, {
          voter_count: qb.raw('voter_count + ?', [pending.count]),
          position: qb.raw('GREATEST(position, ?)', [pending.position]),
        });
        if (!row) return;
        const election = toElectionRow(row);
        voterCounts.set(electionId, {
          position: pending.position,
          message: { electionId, transition: 'voterCount', status: election.status, position: pending.position, voterCount: election.voterCount },
        });
      };

      for (const recorded of events) {
        const event = { type: recorded.type, data: recorded.data } as ElectionEvent;
        const electionId = event.data.electionId;
        if (event.type === 'VoterRegistered') {
          const pending = unwritten.get(electionId) ?? { count: 0, position: 0 };
          unwritten.set(electionId, { count: pending.count + 1, position: recorded.position });
          continue;
        }
        // Keep the fold in event order: earlier registrations land before this transition.
        await writeCounts(electionId);
        const applied = await applyTransition(tx, event, recorded);
        if (applied) {
          const election = toElectionRow(applied.row);
          out.push({
            position: recorded.position,
            message: { electionId, transition: applied.transition, status: election.status, position: recorded.position, election } as ElectionTransition,
          });
        }
      }
      for (const electionId of [...unwritten.keys()]) await writeCounts(electionId);
      out.push(...voterCounts.values());
      out.sort((a, b) => a.position - b.position);
      return out.map((p): Notification => ({ channel: electionChannel(p.message.electionId), message: p.message }));
    },
  };
}

async function applyTransition(
  tx: SqlExecutor,
  event: Exclude<ElectionEvent, { type: 'VoterRegistered' }>,
  recorded: RecordedEvent,
): Promise<{ transition: Transition; row: ElectionDbRow } | undefined> {
  const position = recorded.position;
  switch (event.type) {
    case 'ElectionCreated':
      return withTransition('created', await insertElection(tx, event.data, position));
    case 'ElectionConfigured':
      return withTransition('configured', await updateRow(tx, event.data.electionId, configurePatch(event.data, position)));
    case 'VotingStarted':
      return withTransition('started', await updateRow(tx, event.data.electionId, startPatch(event.data, position)));
    case 'VotingEnded':
      return withTransition('ended', await updateRow(tx, event.data.electionId, endPatch(event.data, position)));
    case 'TrusteesAppointed': {
      const { threshold, params, trustees } = event.data;
      const pinned = trustees.map(({ index, name, identityKey, shareCommitment }) => ({ index, name, identityKey, shareCommitment }));
      await updateRow(tx, event.data.electionId, { trustees: JSON.stringify({ threshold, params, trustees: pinned }), position });
      return undefined;
    }
    default:
      return undefined; // a type this projection does not know yet: nothing to fold
  }
}

const withTransition = (transition: Transition, row: ElectionDbRow | undefined) => (row ? { transition, row } : undefined);

async function insertElection(tx: SqlExecutor, data: ElectionCreated['data'], position: number): Promise<ElectionDbRow | undefined> {
  const q = qb(ELECTIONS_TABLE)
    .insert({
      election_id: data.electionId,
      theme: data.theme,
      choices: JSON.stringify(data.choices),
      expected_voters: data.expectedVoters,
      status: 'REGISTER',
      voter_count: 0,
      closes_at: null,
      created_at: data.createdAt,
      started_at: null,
      ended_at: null,
      position,
      authority_public_key: data.authorityPublicKey,
      ballot_public_key: data.ballotPublicKey,
      log_public_key: data.logPublicKey,
      witnesses: JSON.stringify(data.witnesses ?? []),
      ballot: data.form && data.method && data.seats !== undefined ? JSON.stringify({ form: data.form, method: data.method, seats: data.seats }) : null,
      weight_classes: data.weightClasses && data.weightClasses.length > 0 ? JSON.stringify(data.weightClasses) : null,
    })
    .returning('*');
  return (await run<ElectionDbRow>(tx, q)).rows[0];
}

function configurePatch(data: ElectionConfigured['data'], position: number): Record<string, unknown> {
  const patch: Record<string, unknown> = { position };
  if (data.theme !== undefined) patch.theme = data.theme;
  if (data.choices !== undefined) patch.choices = JSON.stringify(data.choices);
  if (data.expectedVoters !== undefined) patch.expected_voters = data.expectedVoters;
  if ('closesAt' in data && data.closesAt !== undefined) patch.closes_at = data.closesAt;
  return patch;
}

const startPatch = (data: VotingStarted['data'], position: number) => ({ status: 'VOTE_STARTED', started_at: data.startedAt, position });
const endPatch = (data: VotingEnded['data'], position: number) => ({ status: 'VOTE_ENDED', ended_at: data.endedAt, position });

async function updateRow(tx: SqlExecutor, electionId: string, patch: Record<string, unknown>): Promise<ElectionDbRow | undefined> {
  const q = qb(ELECTIONS_TABLE).where({ election_id: electionId }).update(patch).returning('*');
  return (await run<ElectionDbRow>(tx, q)).rows[0];
}
