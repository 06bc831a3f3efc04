/**
 * One pub/sub subscription per election per process, shared (refcounted) by every socket watching it.
 * Listeners run synchronously in pub/sub order and must not block.
 */
import type { ElectionTransition } from '../projections/read-models.ts';
import type { PubSub } from '../pubsub/port.ts';
import { electionChannel } from '../pubsub/port.ts';
import type { Logger } from '../runtime/log.ts';

export type TransitionListener = (t: ElectionTransition) => void;

export interface ElectionFanout {
  /** Resolves once the pub/sub subscription is live, so nothing published afterwards is missed. */
  add(electionId: string, listener: TransitionListener): Promise<() => Promise<void>>;
  /** Elections with a live pub/sub subscription (for tests and metrics). */
  activeElections(): number;
  close(): Promise<void>;
}

const TRANSITIONS = new Set(['created', 'configured', 'voterCount', 'started', 'ended', 'tallyProgress', 'tallied']);

function isTransition(m: unknown, electionId: string): m is ElectionTransition {
  if (typeof m !== 'object' || m === null) return false;
  const t = m as Record<string, unknown>;
  return t.electionId === electionId && typeof t.transition === 'string' && TRANSITIONS.has(t.transition) && typeof t.position === 'number';
}

interface Entry {
  listeners: Set<TransitionListener>;
  unsubscribe: Promise<() => Promise<void>>;
}

export function createElectionFanout(pubsub: PubSub, log: Logger): ElectionFanout {
  const entries = new Map<string, Entry>();

  const release = async (electionId: string, entry: Entry, listener: TransitionListener) => {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || entries.get(electionId) !== entry) return;
    entries.delete(electionId);
    try {
      await (await entry.unsubscribe)();
    } catch (err) {
      log.warn('pubsub unsubscribe failed', { electionId, error: (err as Error).message });
    }
  };

  return {
    async add(electionId, listener) {
      let entry = entries.get(electionId);
      if (!entry) {
        const listeners = new Set<TransitionListener>();
        const onMessage = (m: unknown) => {
          if (!isTransition(m, electionId)) {
            log.warn('ignored a malformed election transition', { electionId });
            return;
          }
          for (const l of [...listeners]) {
            try {
              l(m);
            } catch (err) {
              log.error('transition listener failed', { electionId, error: (err as Error).message });
            }
          }
        };
        entry = { listeners, unsubscribe: pubsub.subscribe(electionChannel(electionId), onMessage) };
        entries.set(electionId, entry);
      }
      const current = entry;
      current.listeners.add(listener);
      try {
        await current.unsubscribe;
      } catch (err) {
        current.listeners.delete(listener);
        if (entries.get(electionId) === current) entries.delete(electionId);
        throw err;
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await release(electionId, current, listener);
      };
    },

    activeElections: () => entries.size,

    async close() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.allSettled(all.map(async (e) => (await e.unsubscribe)()));
    },
  };
}
