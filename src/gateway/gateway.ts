/** Starts the gateway (uWebSockets.js behind transport.ts): /ws (docs/gateway.md), /healthz, /readyz, /metrics. */
import type { ElectionCommandHandlers } from '../commands/election-command-handlers.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { ReadModelQueries } from '../projections/read-models.ts';
import type { ReadinessCheck } from '../runtime/readiness.ts';
import { silentLogger, type Logger } from '../runtime/log.ts';
import { createAdminTokenCheck } from './admin-auth.ts';
import { createElectionFanout } from './election-fanout.ts';
import { createGatewayMetrics } from './gateway-metrics.ts';
import { registerHttpRoutes } from './http-routes.ts';
import { electionMessageModule, type MessageHandler, type MessageModule, type SubscriptionHandler } from './message-handlers.ts';
import type { MessageSpec } from './schemas.ts';
import type { MetricsRegistry } from '../runtime/metrics.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './input-bounds.ts';
import { createRequestValidator } from './validation.ts';
import { CLOSE_GOING_AWAY, createWsProtocol, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, DEFAULT_MAX_RUNNING_PER_CONNECTION, type SocketState } from './ws-protocol.ts';
import { DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION } from './request-rate.ts';
import { createSourceConnectionLimiter, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE } from './source-connection-limiter.ts';
import type { HttpRouter } from './transport.ts';
import { createUwsTransport } from './uws.ts';

export interface GatewayDeps {
  commands: ElectionCommandHandlers;
  queries: ReadModelQueries;
  pubsub: PubSub;
  readiness: ReadinessCheck[];
  metrics: MetricsRegistry;
  /** At least 16 characters (EVOTE_ADMIN_TOKEN). */
  adminToken: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = an ephemeral port (read it back from Gateway.port). Default 0. */
  port?: number;
  /** Largest frame parsed; default 64 KiB (the largest message; the client chunks voter imports). uWS drops frames beyond 4×. */
  maxFrameBytes?: number;
  /** Read-your-writes: a command's reply waits (bounded) until the read models reach its position. */
  waitForProjections?: (position: number) => Promise<void>;
  log?: Logger;
  /** Unsent bytes a socket may accumulate before it is closed with 1013. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Default 100. */
  maxSubscriptionsPerSocket?: number;
  /** Requests one connection may have awaiting replies; beyond it TOO_MANY_IN_FLIGHT. Default 32. */
  maxInFlightPerConnection?: number;
  /** Frames one connection may send per second; beyond it TOO_MANY_REQUESTS, then a close (1008). Default 1,000. */
  maxRequestsPerSecondPerConnection?: number;
  /** Of those, how many are handled at once; the others wait in the connection's own queue. Default 4. */
  maxRunningPerConnection?: number;
  /** Open WebSocket connections per source address; beyond it the upgrade answers 429. Default 10,000. */
  maxConnectionsPerSource?: number;
  /** New WebSocket connections per second per source address (burst: one second's worth). Default 1,000. */
  newConnectionsPerSecondPerSource?: number;
  /** Proxies in front whose X-Forwarded-For entry names the source (as the login limits). Default 0. */
  trustedProxies?: number;
  /** Bound on the wait for projections. Default 5 s. */
  projectionWaitMs?: number;
  /** Bound on the wait for in-flight requests during drain(). Default DEFAULT_DRAIN_TIMEOUT_MS. */
  drainTimeoutMs?: number;
  /** Per readiness check. Default 2 s. */
  readinessTimeoutMs?: number;
  /** Further features' messages (authentication, ballots, audit…), besides the election's own. */
  modules?: MessageModule[];
  /** Features' HTTP routes, registered before the built-in ones (whose catch-all answers 404). */
  httpRoutes?: ((app: HttpRouter) => void)[];
}

export interface Gateway {
  port: number;
  /** ws://host:port/ws */
  url: string;
  /** http://host:port */
  httpUrl: string;
  /** Stop accepting, refuse new commands, finish in-flight requests (bounded), close sockets with 1001; true when none was left unanswered. */
  drain(): Promise<boolean>;
  /** drain(), then release the pub/sub subscriptions. */
  close(): Promise<void>;
  /** Every message this gateway accepts, across modules (the AsyncAPI document is derived from it). */
  catalogue: readonly MessageSpec[];
}


/** The default bound on drain(); main.ts's shutdown backstop is measured from it. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const log = (deps.log ?? silentLogger).child({ component: 'gateway' });
  const host = deps.host ?? '127.0.0.1';
  const maxFrameBytes = deps.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const drainTimeoutMs = deps.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const isAdmin = createAdminTokenCheck(deps.adminToken);
  const metrics = createGatewayMetrics(deps.metrics);
  const fanout = createElectionFanout(deps.pubsub, log);
  let draining = false;

  const modules = [electionMessageModule(deps.commands, deps.queries), ...(deps.modules ?? [])];
  const catalogue = modules.flatMap((m) => m.specs);
  const handlers = new Map<string, MessageHandler>();
  for (const m of modules) for (const [key, handler] of m.handlers) handlers.set(key, handler);
  const subscriptions = new Map<string, SubscriptionHandler>();
  for (const m of modules) for (const [name, handler] of m.subscriptions ?? []) subscriptions.set(name, handler);

  const protocol = createWsProtocol({
    validator: createRequestValidator(catalogue),
    handlers,
    subscriptions,
    queries: deps.queries,
    fanout,
    isAdmin,
    metrics,
    log,
    maxFrameBytes,
    maxBufferedBytes: deps.maxBufferedBytes ?? 8 * 1024 * 1024,
    maxSubscriptionsPerSocket: deps.maxSubscriptionsPerSocket ?? 100,
    maxInFlightPerConnection: deps.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
    maxRunningPerConnection: deps.maxRunningPerConnection ?? DEFAULT_MAX_RUNNING_PER_CONNECTION,
    maxRequestsPerSecondPerConnection: deps.maxRequestsPerSecondPerConnection ?? DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION,
    sourceLimiter: createSourceConnectionLimiter({
      maxOpen: deps.maxConnectionsPerSource ?? DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
      newPerSecond: deps.newConnectionsPerSecondPerSource ?? DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE,
    }),
    trustedProxies: deps.trustedProxies ?? 0,
    projectionWaitMs: deps.projectionWaitMs ?? 5_000,
    waitForProjections: deps.waitForProjections,
    isDraining: () => draining,
  });

  // What the sockets hold unsent, all together: bounded by maxBufferedBytes (plus one message) each.
  deps.metrics.gaugeFn('evote_ws_buffered_bytes', 'Bytes queued for WebSocket clients and not yet sent, all sockets together', [], () => {
    let bytes = 0;
    for (const ws of protocol.sockets) bytes += ws.getBufferedAmount();
    return bytes;
  });

  const app = createUwsTransport();
  app.ws<SocketState>('/ws', protocol.limits, protocol.handlers);
  for (const register of deps.httpRoutes ?? []) register(app);
  registerHttpRoutes(app, {
    readiness: deps.readiness,
    metrics: deps.metrics,
    log,
    isDraining: () => draining,
    readinessTimeoutMs: deps.readinessTimeoutMs ?? 2_000,
  });

  const listener = await app.listen(host, deps.port ?? 0);
  const port = listener.port;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

  let drained: Promise<boolean> | undefined;
  let closed: Promise<void> | undefined;

  const drain = () =>
    (drained ??= (async () => {
      draining = true;
      listener.close();
      log.info('draining', { inflight: protocol.inflight.size, sockets: protocol.sockets.size });
      // Loop: a query accepted while we waited is in flight too.
      const deadline = Date.now() + drainTimeoutMs;
      while (protocol.inflight.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.allSettled([...protocol.inflight]), sleep(deadline - Date.now())]);
      }
      const unanswered = protocol.inflight.size;
      if (unanswered > 0) log.warn('drain timed out with requests in flight', { inflight: unanswered });
      for (const ws of [...protocol.sockets]) {
        try {
          ws.end(CLOSE_GOING_AWAY, 'server shutting down');
        } catch {
          // Already closed.
        }
      }
      return unanswered === 0;
    })());

  return {
    port,
    url: `ws://${authority}/ws`,
    httpUrl: `http://${authority}`,
    drain,
    catalogue,
    close: () =>
      (closed ??= (async () => {
        await drain();
        await fanout.close();
      })()),
  };
}
