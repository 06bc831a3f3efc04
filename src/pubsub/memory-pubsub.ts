/**
 * In-process pub/sub for embedded mode, behaving as Redis would: a JSON round trip, delivery after
 * `publish` returns in per-channel order, a throwing subscriber isolated (docs/projections.md).
 */
import type { PubSub } from './port.ts';
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
