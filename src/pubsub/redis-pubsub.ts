/**
 * Redis pub/sub shared by gateway processes; two connections, as a subscriber cannot publish. Messages
 * published while disconnected are lost (Redis's contract): subscribers re-read the read model.
 */
import { Redis } from 'ioredis';
import type { PubSub } from './port.ts';
import type { Logger } from '../runtime/log.ts';
import { silentLogger } from '../runtime/log.ts';

type Handler = (message: unknown) => void;
interface Entry {
  handlers: Set<Handler>;
  ready: Promise<void>;
}

export function createRedisPubSub(redisUrl: string, opts: { prefix?: string; log?: Logger } = {}): PubSub {
  const prefix = opts.prefix ?? '';
  const log = (opts.log ?? silentLogger).child({ component: 'redis-pubsub' });
  const publisher = new Redis(redisUrl, { lazyConnect: false });
  const subscriber = new Redis(redisUrl, { lazyConnect: false });
  // Connection errors are retried by ioredis; without a listener they would be unhandled 'error' events.
  publisher.on('error', (err: Error) => log.warn('redis publisher error', { error: err.message }));
  subscriber.on('error', (err: Error) => log.warn('redis subscriber error', { error: err.message }));

  const channels = new Map<string, Entry>();

  subscriber.on('message', (redisChannel: string, payload: string) => {
    if (!redisChannel.startsWith(prefix)) return;
    const channel = redisChannel.slice(prefix.length);
    const handlers = channels.get(channel)?.handlers;
    if (!handlers || handlers.size === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(payload) as unknown;
    } catch {
      // The payload itself is not logged: it is foreign input and could be large or sensitive.
      log.warn('dropped malformed pubsub message', { channel, bytes: payload.length });
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (err) {
        log.warn('pubsub subscriber failed', { channel, error: (err as Error).message });
      }
    }
  });

  return {
    async publish(channel, message) {
      await publisher.publish(prefix + channel, JSON.stringify(message ?? null));
    },
    async subscribe(channel, onMessage) {
      let entry = channels.get(channel);
      if (!entry) {
        // Commands on one connection run in order, so a SUBSCRIBE queued after an UNSUBSCRIBE wins.
        const created: Entry = { handlers: new Set(), ready: subscriber.subscribe(prefix + channel).then(() => {}) };
        channels.set(channel, created);
        created.ready.catch(() => {
          if (channels.get(channel) === created) channels.delete(channel);
        });
        entry = created;
      }
      const current = entry;
      // Registered before waiting, so a concurrent unsubscribe of the last other handler keeps the channel.
      const handler: Handler = (m) => onMessage(m);
      current.handlers.add(handler);
      try {
        await current.ready;
      } catch (err) {
        current.handlers.delete(handler);
        throw err;
      }
      return async () => {
        if (!current.handlers.delete(handler)) return;
        if (current.handlers.size === 0 && channels.get(channel) === current) {
          channels.delete(channel);
          await subscriber.unsubscribe(prefix + channel);
        }
      };
    },
    async close() {
      channels.clear();
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
