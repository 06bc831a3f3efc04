/**
 * The pure planner of group commit: which queued appends succeed and which rows to write, all-or-
 * nothing per call, in queue order, replays recognised by event id (docs/eventstore.md).
 */
import { WrongExpectedRevisionError } from './port.ts';
import type { AppendResult, ExpectedRevision } from './port.ts';
import { EventStoreError } from './append-input.ts';
import type { PendingRequest } from './append-input.ts';

/** A stream's current revision and the position of its last event. Absent from a map = no stream. */
export interface StreamState {
  revision: number;
  position: number;
}

export interface KnownEvent {
  streamId: string;
  revision: number;
  position: number;
}

export interface PlannedRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export type ItemOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: Error };

export interface AppendPlan {
  rows: PlannedRow[];
  touched: Map<string, StreamState>;
  outcomes: ItemOutcome[];
  lastPosition: number;
  /** Ids of conflicting appends not looked up yet: if stored, the append may be a retry, so plan again. */
  idsToLookUp: string[];
}

function satisfies(expected: ExpectedRevision, state: StreamState | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return state === undefined;
  if (expected === 'stream_exists') return state !== undefined;
  return state !== undefined && state.revision === expected;
}

type Previous = { kind: 'none' } | { kind: 'same'; result: AppendResult } | { kind: 'mismatch' };

/** Is this request a replay of events already stored (by id) at the place it asks for? */
function findPrevious(request: PendingRequest, lookup: (id: string) => KnownEvent | undefined): Previous {
  const found = request.events.map((e) => lookup(e.id));
  if (found.every((f) => f === undefined)) return { kind: 'none' };
  const first = found[0];
  if (!first || found.some((f) => f === undefined)) return { kind: 'mismatch' };
  const inPlace = found.every((f, i) => f !== undefined && f.streamId === request.streamId && f.revision === first.revision + i);
  const expected = request.expectedRevision;
  const startsRight =
    typeof expected === 'number' ? first.revision === expected + 1 : expected === 'no_stream' ? first.revision === 0 : true;
  const last = found[found.length - 1];
  if (!inPlace || !startsRight || !last) return { kind: 'mismatch' };
  return { kind: 'same', result: { nextExpectedRevision: last.revision, position: last.position } };
}

export function planAppends(
  items: PendingRequest[][],
  current: ReadonlyMap<string, StreamState>,
  headPosition: number,
  stored: ReadonlyMap<string, KnownEvent>,
  lookedUp: ReadonlySet<string>,
): AppendPlan {
  const streams = new Map(current);
  const touched = new Map<string, StreamState>();
  const planned = new Map<string, KnownEvent>();
  const rows: PlannedRow[] = [];
  const outcomes: ItemOutcome[] = [];
  const idsToLookUp = new Set<string>();
  let head = headPosition;

  for (const item of items) {
    const local = new Map<string, StreamState>();
    const localKnown = new Map<string, KnownEvent>();
    const localRows: PlannedRow[] = [];
    const results: AppendResult[] = [];
    let localHead = head;
    let error: Error | undefined;
    const lookup = (id: string) => localKnown.get(id) ?? planned.get(id) ?? stored.get(id);

    for (const request of item) {
      const state = local.get(request.streamId) ?? streams.get(request.streamId);
      const previous = findPrevious(request, lookup);
      if (previous.kind === 'same') {
        results.push(previous.result);
        continue;
      }
      if (!satisfies(request.expectedRevision, state)) {
        for (const e of request.events) if (!lookedUp.has(e.id)) idsToLookUp.add(e.id);
        error = new WrongExpectedRevisionError(request.streamId, request.expectedRevision, state ? state.revision : 'no_stream');
        break;
      }
      if (previous.kind === 'mismatch') {
        error = new EventStoreError('DUPLICATE_EVENT_ID', `stream ${request.streamId}: an event id of this append is already stored elsewhere`, request.streamId);
        break;
      }
      if (request.events.length === 0) {
        results.push({ nextExpectedRevision: state ? state.revision : -1, position: state ? state.position : 0 });
        continue;
      }
      let revision = state ? state.revision : -1;
      for (const e of request.events) {
        revision += 1;
        localHead += 1;
        localRows.push({ position: localHead, id: e.id, stream_id: request.streamId, revision, type: e.type, data: e.data, metadata: e.metadata });
        localKnown.set(e.id, { streamId: request.streamId, revision, position: localHead });
      }
      local.set(request.streamId, { revision, position: localHead });
      results.push({ nextExpectedRevision: revision, position: localHead });
    }

    if (error) {
      outcomes.push({ ok: false, error });
      continue;
    }
    for (const [id, s] of local) {
      streams.set(id, s);
      touched.set(id, s);
    }
    for (const [id, k] of localKnown) planned.set(id, k);
    rows.push(...localRows);
    head = localHead;
    outcomes.push({ ok: true, results });
  }
  return { rows, touched, outcomes, lastPosition: head, idsToLookUp: [...idsToLookUp] };
}
