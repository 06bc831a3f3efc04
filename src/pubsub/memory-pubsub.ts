/**
 * In-process pub/sub for the embedded, single-process mode. Messages go through a JSON round trip
 * so subscribers see exactly what they would see over Redis (no shared objects, no Dates), and are
 * delivered on the microtask queue: after `publish` returns, in publish order per channel, and a
 * throwing subscriber never reaches the publisher or the other subscribers.
 */
import type { PubSub } from '../app/services.ts';
import type { Logger } from '../runtime/log.ts';
import { silentLogger } from '../runtime/log.ts';

type Handler = (message: unknown) => void;

export function createMemoryPubSub(opts: { log?: Logger } = {}): PubSub {
  const log = opts.log ?? silentLogger;
  const channels = new Map<string, Set<Handler>>();
  let closed = false;

  const deliver = (channel: string, handler: Handler, payload: string) => {
    // Unsubscribed between publish and delivery: drop, as Redis would.
    if (!channels.get(channel)?.has(handler)) return;
    try {
      handler(JSON.parse(payload) as unknown);
    } catch (err) {
      log.warn('pubsub subscriber failed', { channel, error: (err as Error).message });
    }
  };

  return {
    async publish(channel, message) {
      if (closed) return;
      const payload = JSON.stringify(message ?? null);
      // Snapshot the subscribers now: one that subscribes later must not see an earlier message.
      for (const handler of [...(channels.get(channel) ?? [])]) {
        queueMicrotask(() => deliver(channel, handler, payload));
      }
    },
    async subscribe(channel, onMessage) {
      let set = channels.get(channel);
      if (!set) {
        set = new Set();
        channels.set(channel, set);
      }
      // Wrap so the same function may be subscribed twice and unsubscribed independently.
      const handler: Handler = (m) => onMessage(m);
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
      };
    },
    async close() {
      closed = true;
      channels.clear();
    },
  };
}
