/**
 * Live audit, server side: `audit.follow` streams the election's log lines from the event store in
 * log order, woken by the projection's notification (docs/audit.md, "Live audit").
 */
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { Logger } from '../runtime/log.ts';
import { domainError } from '../domain/errors.ts';
import type { LogCheckpointed } from '../domain/log-events.ts';
import { electionStreamId, logStreamId } from '../domain/streams.ts';
import type { SubscriptionHandler } from './message-handlers.ts';
import { logChannel } from '../projections/transparency-log-projection.ts';
import { leavesInReadModelUpTo } from '../audit/log-queries.ts';
import type { SqlExecutor } from '../sql/client.ts';
import { electionLogMatcher, electionLogPrefixes, entryLeafHash } from '../domain/log-entry.ts';
import type { CheckpointLine, EventLine, FollowSnapshot } from '../audit/log-lines.ts';

const PAGE = 500;

/** Leaves of the election's log at or before `position`: from the read model when it is that far, else from the log. */
async function leavesUpTo(deps: { store: EventStore; db: SqlExecutor }, electionId: string, position: number): Promise<number> {
  const fromReadModel = await leavesInReadModelUpTo(deps.db, electionId, position);
  return fromReadModel ?? leavesInLogUpTo(deps.store, electionId, position);
}

async function leavesInLogUpTo(store: EventStore, electionId: string, position: number): Promise<number> {
  const belongs = electionLogMatcher(electionId);
  let count = 0;
  let from = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: 5000, filter: { streamPrefixes: electionLogPrefixes(electionId) } });
    for (const e of page) {
      if (e.position > position) return count;
      if (belongs(e)) count++;
    }
    const last = page[page.length - 1];
    if (!last || page.length < 5000) return count;
    from = last.position;
  }
}

export function followSubscription(deps: { store: EventStore; db: SqlExecutor; pubsub: PubSub; log: Logger }): SubscriptionHandler {
  return async (payload, push) => {
    const electionId = payload.electionId as string;
    const after = (payload.after as number | undefined) ?? 0;
    const created = await deps.store.readStream(electionStreamId(electionId), { limit: 1 });
    if (created.length === 0) return { ok: false, error: domainError('ELECTION_NOT_FOUND', `election ${electionId} not found`) };
    let leafIndex = after === 0 ? 0 : await leavesUpTo(deps, electionId, after);
    const snapshot: FollowSnapshot = { electionId, after, nextLeafIndex: leafIndex };
    let position = after;
    let active = true;
    let wake: (() => void) | undefined;
    const unsubscribe = await deps.pubsub.subscribe(logChannel(electionId), () => wake?.());
    const logStream = logStreamId(electionId);
    const belongs = electionLogMatcher(electionId);
    const filter = { streamPrefixes: [...electionLogPrefixes(electionId), logStream] };

    const pushEvent = (e: RecordedEvent) => {
      if (e.streamId === logStream) {
        if (e.type !== 'LogCheckpointed') return;
        const line: CheckpointLine = { position: e.position, streamId: e.streamId, revision: e.revision, type: 'LogCheckpointed', data: e.data as LogCheckpointed['data'] };
        push('audit.checkpoint', line);
      } else if (belongs(e)) {
        const entry = { position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data };
        const line: EventLine = { ...entry, leafIndex: leafIndex++, leafHash: Buffer.from(entryLeafHash(entry)).toString('hex') };
        push('audit.event', line);
      }
    };

    const pump = async () => {
      while (active) {
        const page = await deps.store.readAll({ fromPosition: position, limit: PAGE, filter });
        for (const e of page) {
          if (!active) return;
          position = e.position;
          pushEvent(e);
        }
        if (page.length === PAGE) continue;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
      }
    };
    // After the snapshot reply has gone out (the gateway sends it when this handler resolves).
    setImmediate(() => {
      pump().catch((err: unknown) => deps.log.warn('audit.follow stopped', { electionId, error: (err as Error).message }));
    });
    return {
      ok: true,
      value: {
        snapshot,
        release: async () => {
          active = false;
          wake?.();
          await unsubscribe();
        },
      },
    };
  };
}
