/**
 * The /ws endpoint: validation → admin check → payload schema → handler, replies matched by id.
 * No exception may escape into uWS (a throw in a native callback kills the process).
 */
import { randomUUID } from 'node:crypto';
import type { ElectionTransition, ReadModelQueries } from '../projections/read-models.ts';
import type { Logger } from '../runtime/log.ts';
import { domainError } from '../domain/errors.ts';
import { isServiceUnavailable } from '../runtime/service-unavailable.ts';
import { loginSource } from '../auth/source-address.ts';
import type { ElectionFanout } from './election-fanout.ts';
import { gatewayError, type WireError } from './error-codes.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { commandPosition, type ConnectionContext, type MessageHandler, type SubscriptionHandler } from './message-handlers.ts';
import type { SourceConnectionLimiter } from './source-connection-limiter.ts';
import { CLOSE_POLICY_VIOLATION, frameCost, fullBudget, retryAfterMsOf, takeRequestToken, type RequestBudget } from './request-rate.ts';
import { leadingRequestId, type CatalogueEntry, type Envelope, type RequestValidator } from './validation.ts';
import type { MessageSpec } from './schemas.ts';
import type { Socket, SocketHandlers, SocketLimits } from './transport.ts';

/** WebSocket close codes the gateway uses (RFC 6455 §7.4.1). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN_LATER = 1013;

export const DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 32;
/**
 * Of a connection's requests in flight, how many run at once; the others wait in its own queue. Below
 * the SQL pool's 10 connections, so one connection's burst cannot fill the pool's queue ahead of others.
 */
export const DEFAULT_MAX_RUNNING_PER_CONNECTION = 4;
/** The hint in a TOO_MANY_IN_FLIGHT refusal: about one database round trip; waiting for a reply is better. */
export const IN_FLIGHT_RETRY_AFTER_MS = 100;

interface ClientSubscription {
  electionId: string;
  /** Pushes with a position at or below this were already covered by the snapshot or sent. */
  lastPosition: number;
  /** Transitions heard before the snapshot was read; null once live. */
  pending: ElectionTransition[] | null;
  active: boolean;
  release?: () => Promise<void>;
}

export interface SocketState {
  closed: boolean;
  /** Requests accepted and not yet answered (refused beyond maxInFlightPerConnection). */
  inFlight: number;
  /** Of those, the ones being handled now (at most maxRunningPerConnection)... */
  running: number;
  /** ...and the ones waiting for a turn, in arrival order. */
  waiting: AcceptedRequest[];
  /** Frames this connection may still send now (src/gateway/request-rate.ts); `cut` once closed for its rate. */
  budget: RequestBudget;
  cut: boolean;
  /** Where the connection comes from, as the per-source limits count it. */
  source: string;
  connection: ConnectionContext;
  subscriptions: Map<string, ClientSubscription>;
}

export type GatewaySocket = Socket<SocketState>;

interface AcceptedRequest {
  env: Envelope;
  entry: CatalogueEntry;
}

export interface WsProtocolDeps {
  validator: RequestValidator;
  handlers: Map<string, MessageHandler>;
  /** Feature subscriptions by spec name; the built-in `election` subscription is handled here. */
  subscriptions?: Map<string, SubscriptionHandler>;
  queries: ReadModelQueries;
  fanout: ElectionFanout;
  isAdmin(token: string | undefined): boolean;
  metrics: GatewayMetrics;
  log: Logger;
  maxFrameBytes: number;
  maxBufferedBytes: number;
  maxSubscriptionsPerSocket: number;
  maxInFlightPerConnection: number;
  maxRunningPerConnection: number;
  maxRequestsPerSecondPerConnection: number;
  /** Open and new connections per source address, checked at the upgrade. */
  sourceLimiter: SourceConnectionLimiter;
  /** Proxies whose X-Forwarded-For entry names the source (src/auth/source-address.ts). */
  trustedProxies: number;
  projectionWaitMs: number;
  waitForProjections?: (position: number) => Promise<void>;
  isDraining(): boolean;
}

export interface WsProtocol {
  limits: SocketLimits;
  handlers: SocketHandlers<SocketState>;
  sockets: Set<GatewaySocket>;
  /** Requests being handled now (drain waits for them). */
  inflight: Set<Promise<void>>;
}

type Outgoing = Record<string, unknown>;

export function createWsProtocol(deps: WsProtocolDeps): WsProtocol {
  const { validator, metrics, log } = deps;
  const sockets = new Set<GatewaySocket>();
  const inflight = new Set<Promise<void>>();
  /** A transition is serialised once however many sockets receive it. */
  const transitionJson = new WeakMap<object, string>();

  const closeSlow = (ws: GatewaySocket) => {
    log.warn('closing a slow consumer', { bufferedBytes: ws.getBufferedAmount(), limit: deps.maxBufferedBytes });
    ws.end(CLOSE_TRY_AGAIN_LATER, 'slow consumer');
  };

  /** Sends unless closed; a socket whose backlog is beyond maxBufferedBytes is closed (1013) instead. */
  const sendRaw = (ws: GatewaySocket, text: string) => {
    const state = ws.getUserData();
    if (state.closed) return;
    try {
      ws.cork(() => {
        if (ws.getBufferedAmount() > deps.maxBufferedBytes) return closeSlow(ws);
        // 2 = dropped by uWS's own backpressure limit: the client would silently miss a message.
        if (ws.send(text, false) === 2) closeSlow(ws);
      });
    } catch (err) {
      // The socket closed under us (uWS throws on a closed socket): nothing to deliver to.
      log.debug('send on a closed socket', { error: (err as Error).message });
    }
  };
  const send = (ws: GatewaySocket, msg: Outgoing) => sendRaw(ws, JSON.stringify(msg));

  const replyError = (ws: GatewaySocket, id: string | null, error: WireError) => {
    metrics.errors.inc({ code: error.code });
    send(ws, { id, ok: false, error });
  };

  const push = (ws: GatewaySocket, subscriptionId: string, t: ElectionTransition) => {
    let payload = transitionJson.get(t);
    if (payload === undefined) {
      payload = JSON.stringify(t);
      transitionJson.set(t, payload);
    }
    sendRaw(ws, `{"kind":"event","subscription":${JSON.stringify(subscriptionId)},"name":"election.transition","payload":${payload}}`);
  };

  const waitForReadModels = async (position: number) => {
    if (!deps.waitForProjections) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deps.projectionWaitMs);
    });
    try {
      // Bounded: a stalled projection delays the reply, it never withholds it.
      await Promise.race([deps.waitForProjections(position), timeout]);
    } catch (err) {
      log.warn('waiting for projections failed', { position, error: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  };

  async function runHandler(ws: GatewaySocket, env: Envelope, spec: MessageSpec, payload: Record<string, unknown>) {
    const handler = deps.handlers.get(`${spec.kind}:${spec.name}`);
    if (!handler) throw new Error(`no handler for ${spec.kind} ${spec.name}`);
    const isCommand = spec.kind === 'command';
    const stopTimer = isCommand ? metrics.commandDuration.startTimer({ name: spec.name }) : undefined;
    try {
      const result = await handler(payload, {
        token: env.token,
        connection: ws.getUserData().connection,
        onProgress: (p) => send(ws, { id: env.id, kind: 'progress', payload: p }),
      });
      if (!result.ok) {
        if (isCommand) metrics.commands.inc({ name: spec.name, outcome: 'rejected' });
        const { code, message, details } = result.error;
        return replyError(ws, env.id, details ? { code, message, details } : { code, message });
      }
      if (isCommand) {
        const position = commandPosition(result.value);
        if (position !== undefined && spec.readYourWrites !== false) await waitForReadModels(position);
        metrics.commands.inc({ name: spec.name, outcome: 'ok' });
      }
      send(ws, { id: env.id, ok: true, result: result.value });
    } catch (err) {
      if (isCommand) metrics.commands.inc({ name: spec.name, outcome: 'error' });
      throw err;
    } finally {
      stopTimer?.();
    }
  }

  async function subscribe(ws: GatewaySocket, env: Envelope, electionId: string) {
    const state = ws.getUserData();
    if (state.subscriptions.has(env.id)) return replyError(ws, env.id, gatewayError('ALREADY_SUBSCRIBED'));
    if (state.subscriptions.size >= deps.maxSubscriptionsPerSocket) {
      return replyError(ws, env.id, gatewayError('TOO_MANY_SUBSCRIPTIONS', { max: deps.maxSubscriptionsPerSocket }));
    }
    const sub: ClientSubscription = { electionId, lastPosition: -1, pending: [], active: true };
    state.subscriptions.set(env.id, sub);
    const deliver = (t: ElectionTransition) => {
      if (t.position <= sub.lastPosition) return;
      sub.lastPosition = t.position;
      push(ws, env.id, t);
    };
    const forget = async () => {
      sub.active = false;
      if (state.subscriptions.get(env.id) === sub) state.subscriptions.delete(env.id);
      await sub.release?.();
    };
    try {
      // Listen first, read the snapshot second: a transition published in between is buffered,
      // then sent only if the snapshot predates it.
      sub.release = await deps.fanout.add(electionId, (t) => {
        if (!sub.active) return;
        if (sub.pending) sub.pending.push(t);
        else deliver(t);
      });
      if (!sub.active) await sub.release();
      const row = await deps.queries.getElection(electionId);
      if (!row) {
        await forget();
        return replyError(ws, env.id, domainError('ELECTION_NOT_FOUND', `election ${electionId} not found`));
      }
      send(ws, { id: env.id, ok: true, result: row });
      sub.lastPosition = row.position;
      const heard = sub.pending ?? [];
      sub.pending = null;
      for (const t of heard) if (sub.active) deliver(t);
    } catch (err) {
      await forget();
      throw err;
    }
  }

  /** A feature's subscription: same bookkeeping (limits, unsubscribe, release on close), its own pushes. */
  async function subscribeFeature(ws: GatewaySocket, env: Envelope, handler: SubscriptionHandler, payload: Record<string, unknown>) {
    const state = ws.getUserData();
    if (state.subscriptions.has(env.id)) return replyError(ws, env.id, gatewayError('ALREADY_SUBSCRIBED'));
    if (state.subscriptions.size >= deps.maxSubscriptionsPerSocket) {
      return replyError(ws, env.id, gatewayError('TOO_MANY_SUBSCRIPTIONS', { max: deps.maxSubscriptionsPerSocket }));
    }
    const sub: ClientSubscription = { electionId: String(payload.electionId ?? ''), lastPosition: -1, pending: null, active: true };
    state.subscriptions.set(env.id, sub);
    const pushFeature = (name: string, p: unknown) => {
      if (sub.active) sendRaw(ws, `{"kind":"event","subscription":${JSON.stringify(env.id)},"name":${JSON.stringify(name)},"payload":${JSON.stringify(p)}}`);
    };
    try {
      const result = await handler(payload, pushFeature, { token: env.token, connection: state.connection, onProgress: () => {} });
      if (!result.ok) {
        state.subscriptions.delete(env.id);
        const { code, message, details } = result.error;
        return replyError(ws, env.id, details ? { code, message, details } : { code, message });
      }
      sub.release = result.value.release;
      // The socket closed or unsubscribed while the handler ran: release at once.
      if (!sub.active || state.closed) return await result.value.release();
      send(ws, { id: env.id, ok: true, result: result.value.snapshot });
    } catch (err) {
      sub.active = false;
      state.subscriptions.delete(env.id);
      throw err;
    }
  }

  async function unsubscribe(ws: GatewaySocket, env: Envelope, subscriptionId: string) {
    const state = ws.getUserData();
    const sub = state.subscriptions.get(subscriptionId);
    if (!sub) return replyError(ws, env.id, gatewayError('NOT_SUBSCRIBED'));
    state.subscriptions.delete(subscriptionId);
    sub.active = false;
    await sub.release?.();
    send(ws, { id: env.id, ok: true, result: { unsubscribed: true } });
  }

  /** One accepted request; counted in the socket's inFlight until it is answered. */
  async function handleRequest(ws: GatewaySocket, state: SocketState, env: Envelope, entry: CatalogueEntry) {
    const spec = entry.spec;
    try {
      if (deps.isDraining() && (spec.kind === 'command' || spec.kind === 'subscribe')) {
        return replyError(ws, env.id, gatewayError('SHUTTING_DOWN'));
      }
      const payload = env.payload ?? {};
      const refusal = spec.adminOnly && !deps.isAdmin(env.token) ? gatewayError('UNAUTHORIZED') : validator.checkPayload(entry, payload);
      if (refusal) {
        if (spec.kind === 'command') metrics.commands.inc({ name: spec.name, outcome: 'rejected' });
        return replyError(ws, env.id, refusal);
      }
      switch (spec.kind) {
        case 'command':
        case 'query':
          return await runHandler(ws, env, spec, payload);
        case 'subscribe': {
          const feature = deps.subscriptions?.get(spec.name);
          return await (feature ? subscribeFeature(ws, env, feature, payload) : subscribe(ws, env, payload.electionId as string));
        }
        case 'unsubscribe':
          return await unsubscribe(ws, env, payload.subscription as string);
      }
    } catch (err) {
      if (isServiceUnavailable(err)) {
        log.warn('service unavailable', { kind: spec.kind, name: spec.name, service: err.service });
        return replyError(ws, env.id, gatewayError('SERVICE_UNAVAILABLE', { service: err.service, retryAfterMs: err.retryAfterMs }));
      }
      const errorId = randomUUID();
      // The exception text stays in the server log; the client gets only the id to quote.
      log.error('request failed', {
        errorId,
        kind: spec.kind,
        name: spec.name,
        errorClass: (err as Error)?.name,
        error: String((err as Error)?.message ?? err).slice(0, 500),
      });
      replyError(ws, env.id, gatewayError('INTERNAL', { errorId }, `internal error ${errorId}`));
    } finally {
      state.inFlight--;
      state.running--;
      const next = state.closed ? undefined : state.waiting.shift();
      if (next) start(ws, state, next);
    }
  }

  const start = (ws: GatewaySocket, state: SocketState, request: AcceptedRequest) => {
    state.running++;
    track(handleRequest(ws, state, request.env, request.entry));
  };

  // The refusal runs for every frame of a flood: serialised once (a short message), counted in a
  // plain number flushed into the metric once per turn, sent without a cork of its own (uWS corks
  // the socket during `message`), the backlog read only when the send reports one.
  const tooManyInFlight = JSON.stringify(
    gatewayError('TOO_MANY_IN_FLIGHT', { max: deps.maxInFlightPerConnection, retryAfterMs: IN_FLIGHT_RETRY_AFTER_MS }, 'too many requests in flight'),
  );
  let refusalsToCount = 0;
  const countRefusals = () => {
    metrics.errors.inc({ code: 'TOO_MANY_IN_FLIGHT' }, refusalsToCount);
    refusalsToCount = 0;
  };
  const refuseInFlight = (ws: GatewaySocket, id: string) => {
    if (refusalsToCount++ === 0) setImmediate(countRefusals);
    const sent = ws.send(`{"id":${JSON.stringify(id)},"ok":false,"error":${tooManyInFlight}}`, false);
    if (sent === 2 || (sent === 0 && ws.getBufferedAmount() > deps.maxBufferedBytes)) closeSlow(ws);
  };

  const perSecond = deps.maxRequestsPerSecondPerConnection;
  const refuseRate = (ws: GatewaySocket, state: SocketState, bytes: Buffer) => {
    const error = gatewayError('TOO_MANY_REQUESTS', { perSecond, retryAfterMs: retryAfterMsOf(state.budget, perSecond) }, 'too many requests per second');
    replyError(ws, leadingRequestId(bytes) ?? null, error);
  };
  const cutForRate = (ws: GatewaySocket, state: SocketState) => {
    state.cut = true;
    deps.sourceLimiter.penalise(state.source);
    metrics.errors.inc({ code: 'TOO_MANY_REQUESTS' });
    log.warn('closing a connection that ignored its request rate', { perSecond });
    ws.end(CLOSE_POLICY_VIOLATION, 'TOO_MANY_REQUESTS');
  };

  const track = (p: Promise<void>) => {
    const guarded = p.catch((err: unknown) => log.error('unhandled gateway failure', { error: (err as Error)?.message }));
    inflight.add(guarded);
    void guarded.finally(() => inflight.delete(guarded));
  };

  const limits: SocketLimits = {
    // uWS closes the connection itself beyond this (see docs/gateway.md); below it, up to
    // maxFrameBytes, we parse, and in between we answer FRAME_TOO_LARGE and keep the socket.
    maxPayloadLength: 4 * deps.maxFrameBytes,
    idleTimeoutSeconds: 120,
    // Our own bound (maxBufferedBytes) acts first; uWS's limit is only a backstop that closes.
    maxBackpressure: deps.maxBufferedBytes + 4 * deps.maxFrameBytes,
  };

  const handlers: SocketHandlers<SocketState> = {
    upgrade: (res, req, context) => {
      try {
        if (deps.isDraining()) {
          res.writeStatus('503 Service Unavailable').end('shutting down');
          return;
        }
        // Where the client is, for the login limits per source address (src/auth/source-address.ts).
        const peer = { remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(), forwardedFor: req.getHeader('x-forwarded-for') };
        // The same source the login limits count: the peer, or a trusted proxy's forwarded entry.
        const source = loginSource(peer.remoteAddress, peer.forwardedFor, deps.trustedProxies);
        const admission = deps.sourceLimiter.admit(source);
        if (!admission.ok) {
          metrics.upgradesRefused.inc({ reason: admission.reason });
          res.writeStatus('429 Too Many Requests').writeHeader('Retry-After', String(admission.retryAfterSeconds)).end(`too many connections from this address (${admission.reason})`);
          return;
        }
        const state: SocketState = { closed: false, inFlight: 0, running: 0, waiting: [], budget: fullBudget(perSecond, performance.now()), cut: false, source, connection: { id: randomUUID(), state: new Map(), ...peer }, subscriptions: new Map() };
        res.upgrade(state, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      } catch (err) {
        log.error('websocket upgrade failed', { error: (err as Error).message });
      }
    },
    open: (ws) => {
      sockets.add(ws);
      deps.sourceLimiter.opened(ws.getUserData().source);
      metrics.connections.inc();
    },
    message: (ws, message, isBinary) => {
      const socket = ws;
      try {
        const state = socket.getUserData();
        if (state.cut) return;
        // Every frame counts, before any parsing: a flood's cost ends with the cut, not the refusals.
        const admission = takeRequestToken(state.budget, perSecond, performance.now(), frameCost(message.byteLength));
        if (admission !== 'ok') return admission === 'cut' ? cutForRate(socket, state) : refuseRate(socket, state, Buffer.from(message));
        if (isBinary) return replyError(socket, null, gatewayError('BAD_JSON', undefined, 'binary frames are not accepted; send JSON text'));
        if (message.byteLength > deps.maxFrameBytes) {
          return replyError(socket, null, gatewayError('FRAME_TOO_LARGE', { maxFrameBytes: deps.maxFrameBytes, frameBytes: message.byteLength }));
        }
        const bytes = Buffer.from(message); // a view: uWS neuters it when this callback returns
        // Refused, never queued, and before parsing: a flood at the cap costs a byte compare a frame.
        const atCap = state.inFlight >= deps.maxInFlightPerConnection;
        const quickId = atCap ? leadingRequestId(bytes) : undefined;
        if (quickId !== undefined) return refuseInFlight(socket, quickId);
        const parsed = validator.parse(bytes.toString('utf8'));
        if (!parsed.ok) return replyError(socket, parsed.id, parsed.error);
        if (atCap) return refuseInFlight(socket, parsed.envelope.id);
        state.inFlight++;
        const request = { env: parsed.envelope, entry: parsed.entry };
        // One connection's burst waits its own turn instead of queueing in the SQL pool ahead of others.
        if (state.running < deps.maxRunningPerConnection) start(socket, state, request);
        else state.waiting.push(request);
      } catch (err) {
        log.error('message handling failed', { error: (err as Error).message });
      }
    },
    close: (ws, code, reason) => {
      const socket = ws;
      try {
        const state = socket.getUserData();
        state.closed = true;
        state.waiting.length = 0;
        sockets.delete(socket);
        deps.sourceLimiter.closed(state.source);
        metrics.connections.dec();
        for (const sub of state.subscriptions.values()) {
          sub.active = false;
          void sub.release?.();
        }
        state.subscriptions.clear();
        const why = Buffer.from(reason).toString('utf8').slice(0, 120);
        // uWS drops a frame beyond 4 × maxFrameBytes by closing the TCP connection (client sees 1006).
        if (why.includes('too big')) metrics.errors.inc({ code: 'FRAME_TOO_LARGE' });
        if (code !== 1000 && code !== CLOSE_GOING_AWAY) log.debug('websocket closed', { closeCode: code, reason: why });
      } catch (err) {
        log.error('close handling failed', { error: (err as Error).message });
      }
    },
  };

  return { limits, handlers, sockets, inflight };
}
