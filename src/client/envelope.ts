/**
 * The request/reply envelope as both clients read it: the reference client on `ws`
 * (src/client/connection.ts) and the browser's (web/src/shared/connection.ts). No Node imports.
 */
import { EvoteError } from './errors.ts';

export type Kind = 'command' | 'query' | 'subscribe' | 'unsubscribe';

export interface RequestOptions {
  /** The admin token, or a voter's access token. */
  token?: string;
  /** Overrides the connection's default request timeout. */
  timeoutMs?: number;
  /** Progress messages of long commands (import, issuance, tally). */
  onProgress?: (progress: unknown) => void;
}

export interface Push {
  kind: 'event';
  subscription: string;
  name: string;
  payload: unknown;
}

/** A request waiting for its reply. */
export interface PendingReply {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  onProgress?: (progress: unknown) => void;
}

/** A reply the server could not tie to a request (a frame it could not read): no id. */
export type OrphanReply = { ok: boolean; error?: { code: string; message: string } };

/**
 * Routes one frame: a push to its subscription's handler, progress to its request, a reply settles
 * its request (the result, or an EvoteError with the server's code) and is forgotten. Unreadable
 * frames and replies to unknown ids are dropped; a reply without id is returned to the caller.
 */
export function dispatchFrame(text: string, pending: Map<string, PendingReply>, pushHandlers: Map<string, (push: Push) => void>): OrphanReply | undefined {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (msg.kind === 'event' && typeof msg.subscription === 'string') {
    pushHandlers.get(msg.subscription)?.(msg as unknown as Push);
    return undefined;
  }
  const id = msg.id;
  if (id === null || id === undefined) return msg as OrphanReply;
  const p = pending.get(String(id));
  if (!p) return undefined;
  if (msg.kind === 'progress') {
    p.onProgress?.(msg.payload);
    return undefined;
  }
  clearTimeout(p.timer);
  pending.delete(String(id));
  if (msg.ok === true) p.resolve(msg.result);
  else {
    const e = (msg.error ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    p.reject(new EvoteError(e.code ?? 'UNKNOWN', e.message ?? 'request failed', e.details));
  }
  return undefined;
}
