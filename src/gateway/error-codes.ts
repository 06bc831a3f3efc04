/** Error codes the gateway itself answers with; with every DomainErrorCode, the protocol's stable `error.code`s. */
import type { DomainErrorCode } from '../domain/errors.ts';
import { MAX_JSON_DEPTH, MAX_JSON_ITEMS } from './input-bounds.ts';

export const GATEWAY_ERROR_CODES = {
  BAD_JSON: `The frame is not a UTF-8 text frame holding valid JSON (binary frames included), or its JSON nests deeper than ${MAX_JSON_DEPTH} levels or holds more than ${MAX_JSON_ITEMS} members and elements.`,
  BAD_ENVELOPE: 'The JSON is not a valid request envelope {id, kind, name, payload?, token?} of well-formed strings.',
  UNKNOWN_KIND: 'The envelope kind is not one of command, query, subscribe, unsubscribe.',
  UNKNOWN_NAME: 'No message of that kind has that name.',
  INVALID_PAYLOAD:
    "The payload does not match the message's JSON Schema, or holds a string that is not well-formed Unicode or a number beyond ±(2^53 − 1) (details give the first error: where and why, never the value).",
  FRAME_TOO_LARGE: 'The frame exceeds maxFrameBytes; it was not parsed and the connection stays open.',
  UNAUTHORIZED: 'The message needs the admin token and it was missing or wrong.',
  NOT_SUBSCRIBED: 'Unsubscribe named a subscription this connection does not hold.',
  ALREADY_SUBSCRIBED: 'This connection already holds a subscription with that request id.',
  TOO_MANY_SUBSCRIPTIONS: 'This connection holds the maximum number of subscriptions.',
  TOO_MANY_IN_FLIGHT: 'This connection has the maximum number of requests in flight; wait for replies (details: max, retryAfterMs).',
  TOO_MANY_REQUESTS: 'This connection sent more requests per second than allowed; wait details.retryAfterMs (details: perSecond). A client that keeps sending is disconnected (close 1008).',
  SERVICE_UNAVAILABLE: 'A service the request needs (details.service: sessions, pubsub, database, eventstore, signing) is down or did not answer in time; safe to retry after details.retryAfterMs.',
  SHUTTING_DOWN: 'The gateway is draining: commands and new subscriptions are refused; reconnect elsewhere.',
  INTERNAL: 'Unexpected server failure; the message carries only an error id to quote to the operator.',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;
export type ErrorCode = GatewayErrorCode | DomainErrorCode;

/** The `error` member of a failed reply. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function gatewayError(code: GatewayErrorCode, details?: Record<string, unknown>, message?: string): WireError {
  const base = { code, message: message ?? GATEWAY_ERROR_CODES[code] };
  return details ? { ...base, details } : base;
}
