/**
 * Redis pub/sub shared by gateway processes; two connections, as a subscriber cannot publish. Messages
 * published while disconnected are lost (Redis's contract): subscribers re-read the read model. While
 * Redis is down publish and subscribe reject at once with ServiceUnavailableError('pubsub'); live
 * channels are taken again by ioredis when it reconnects.
 */
import type { PubSub } from './port.ts';
import type { Logger } from '../runtime/log.ts';
import { silentLogger } from '../runtime/log.ts';
import { createFailFastRedis } from '../runtime/redis-connection.ts';

type Handler = (message: unknown) => void;
interface Entry {
  handlers: Set<Handler>;
  ready: Promise<void>;
}

export function createRedisPubSub(redisUrl: string, opts: { prefix?: string; log?: Logger } = {}): PubSub {
  const prefix = opts.prefix ?? '';
  const log = (opts.log ?? silentLogger).child({ component: 'redis-pubsub' });
  const publisher = createFailFastRedis(redisUrl, 'pubsub', log.child({ connection: 'publisher' }));
  const subscriber = createFailFastRedis(redisUrl, 'pubsub', log.child({ connection: 'subscriber' }));
  // Channels whose UNSUBSCRIBE failed during an outage: ioredis would resubscribe them on reconnect.
  const abandoned = new Set<string>();

  const channels = new Map<string, Entry>();

  subscriber.redis.on('ready', () => {
    // After ioredis' own resubscription, which runs right after 'ready' is emitted.
    setImmediate(() => {
      const stale = [...abandoned].filter((c) => !channels.has(c.slice(prefix.length)));
      abandoned.clear();
      if (stale.length === 0) return;
      subscriber.run((r) => r.unsubscribe(...stale)).catch(() => {
        for (const c of stale) abandoned.add(c);
      });
    });
  });

  subscriber.redis.on('message', (redisChannel: string, payload: string) => {
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
      const payload = JSON.stringify(message ?? null);
      await publisher.run((r) => r.publish(prefix + channel, payload));
    },
    async subscribe(channel, onMessage) {
      let entry = channels.get(channel);
      if (!entry) {
        // Commands on one connection run in order, so a SUBSCRIBE queued after an UNSUBSCRIBE wins.
        const created: Entry = { handlers: new Set(), ready: subscriber.run((r) => r.subscribe(prefix + channel)).then(() => {}) };
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
          // Redis down: nothing reaches this process meanwhile; UNSUBSCRIBE once it is back.
          await subscriber.run((r) => r.unsubscribe(prefix + channel)).catch(() => abandoned.add(prefix + channel));
        }
      };
    },
    async ping() {
      const answers = (c: typeof publisher) => c.run((r) => r.ping()).then((pong) => pong === 'PONG', () => false);
      const [pub, sub] = await Promise.all([answers(publisher), answers(subscriber)]);
      return pub && sub;
    },
    async close() {
      channels.clear();
      await Promise.all([subscriber.close(), publisher.close()]);
    },
  };
}
