/**
 * Pub/sub as this process's subscribers see it: a notification (from any process) reaches the read
 * cache before the subscriber, so a client that re-reads on a push never gets the cached state from
 * before it (docs/projections.md "Read cache").
 */
import { electionChannel, type PubSub } from '../pubsub/port.ts';
import { logChannel } from './transparency-log-projection.ts';
import type { ReadCache } from './read-cache.ts';

const ELECTION_PREFIX = electionChannel('');
const LOG_PREFIX = logChannel('');
const TALLY_TRANSITIONS = new Set(['tallyProgress', 'tallied']);

export function invalidatingPubSub(inner: PubSub, cache: ReadCache): PubSub {
  const note = (channel: string, message: unknown) => {
    const m = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    if (channel.startsWith(ELECTION_PREFIX)) {
      const id = channel.slice(ELECTION_PREFIX.length);
      const position = typeof m.position === 'number' ? m.position : undefined;
      cache.notified(TALLY_TRANSITIONS.has(m.transition as string) ? 'tally' : 'elections', id, position);
    } else if (channel.startsWith(LOG_PREFIX)) {
      const id = channel.slice(LOG_PREFIX.length);
      const position = typeof m.lastPosition === 'number' ? m.lastPosition : undefined;
      // The log grows with every released ballot: the votes rows may have moved too.
      cache.notified('transparency-log', id, position);
      cache.notified('votes', id, position);
    }
  };
  return {
    publish: (channel, message) => inner.publish(channel, message),
    subscribe: (channel, onMessage) =>
      inner.subscribe(channel, (message) => {
        note(channel, message);
        onMessage(message);
      }),
    close: () => inner.close(),
  };
}
