/**
 * A text frame to a validated request in the protocol's order (depth, JSON, envelope, kind, name);
 * the payload is checked after the admin check. Never echoes values; stops at the first error.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { gatewayError, type WireError } from './error-codes.ts';
import { findUnboundedValue, jsonShapeViolation } from './input-bounds.ts';
import {
  MAX_REQUEST_ID_LENGTH,
  MESSAGE_CATALOGUE,
  MESSAGE_KINDS,
  REQUEST_ENVELOPE_SCHEMA,
  catalogueKey,
  type MessageKind,
  type MessageSpec,
} from './schemas.ts';

export interface Envelope {
  id: string;
  kind: MessageKind;
  name: string;
  payload?: Record<string, unknown>;
  token?: string;
}

export interface CatalogueEntry {
  spec: MessageSpec;
  validatePayload: ValidateFunction;
}

export type EnvelopeOutcome =
  | { ok: true; envelope: Envelope; entry: CatalogueEntry }
  /** `id` is null when the request id could not be read. */
  | { ok: false; id: string | null; error: WireError };

const MAX_REPORTED_ERRORS = 5;
const MAX_PATH_CHARS = 200;

export interface RequestValidator {
  parse(text: string): EnvelopeOutcome;
  /** undefined when valid, else an INVALID_PAYLOAD error listing where and why. */
  checkPayload(entry: CatalogueEntry, payload: Record<string, unknown>): WireError | undefined;
}

function describe(errors: ErrorObject[] | null | undefined): { errors: { instancePath: string; message: string }[] } {
  return {
    errors: (errors ?? []).slice(0, MAX_REPORTED_ERRORS).map((e) => ({
      // Paths name the client's own keys; truncated so a hostile key cannot inflate the reply.
      instancePath: e.instancePath.slice(0, MAX_PATH_CHARS),
      message: e.message ?? e.keyword,
    })),
  };
}

const LEADING_ID = Uint8Array.from(Buffer.from('{"id":"'));
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The request id of a frame that starts `{"id":"…"` with no escape in the id, read from the bytes
 * without decoding or parsing the rest (the reference client writes the id first); else undefined.
 * For refusals that must stay cheap however many frames arrive.
 */
export function leadingRequestId(frame: Uint8Array): string | undefined {
  const start = LEADING_ID.length;
  if (frame.length <= start) return undefined;
  for (let i = 0; i < start; i++) if (frame[i] !== LEADING_ID[i]) return undefined;
  const limit = Math.min(frame.length, start + MAX_REQUEST_ID_LENGTH + 1);
  let id = '';
  for (let i = start; i < limit; i++) {
    const b = frame[i]!;
    if (b === QUOTE) return i === start ? undefined : id;
    // Escapes and non-ASCII ids take the full parse.
    if (b === BACKSLASH || b >= 0x80) return undefined;
    id += String.fromCharCode(b);
  }
  return undefined;
}

function readableId(x: unknown): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return null;
  const id = (x as { id?: unknown }).id;
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_REQUEST_ID_LENGTH ? id : null;
}

export function createRequestValidator(specs: readonly MessageSpec[] = MESSAGE_CATALOGUE): RequestValidator {
  const ajv = new Ajv({ strict: true });
  const validateEnvelope = ajv.compile(REQUEST_ENVELOPE_SCHEMA);
  const catalogue = new Map<string, CatalogueEntry>();
  for (const spec of specs) {
    if (catalogue.has(catalogueKey(spec.kind, spec.name))) throw new Error(`duplicate message ${spec.kind} ${spec.name}`);
    catalogue.set(catalogueKey(spec.kind, spec.name), { spec, validatePayload: ajv.compile(spec.payload) });
  }

  return {
    parse(text) {
      const shape = jsonShapeViolation(text);
      if (shape) {
        const why = 'maxDepth' in shape ? `JSON nests deeper than ${shape.maxDepth} levels` : `JSON holds more than ${shape.maxItems} members and elements`;
        return { ok: false, id: null, error: gatewayError('BAD_JSON', shape, why) };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { ok: false, id: null, error: gatewayError('BAD_JSON') };
      }
      const id = readableId(parsed);
      const kind = typeof parsed === 'object' && parsed !== null ? (parsed as { kind?: unknown }).kind : undefined;
      // A string kind we do not know is a distinct, more helpful answer than a shape error.
      if (typeof kind === 'string' && !(MESSAGE_KINDS as readonly string[]).includes(kind)) {
        return { ok: false, id, error: gatewayError('UNKNOWN_KIND') };
      }
      if (!validateEnvelope(parsed)) {
        return { ok: false, id, error: gatewayError('BAD_ENVELOPE', describe(validateEnvelope.errors)) };
      }
      const envelope = parsed as Envelope;
      const envelopeBound = findUnboundedValue({ id: envelope.id, name: envelope.name, token: envelope.token });
      if (envelopeBound) {
        return { ok: false, id: envelopeBound.instancePath === '/id' ? null : envelope.id, error: gatewayError('BAD_ENVELOPE', { errors: [envelopeBound] }) };
      }
      const entry = catalogue.get(catalogueKey(envelope.kind, envelope.name));
      if (!entry) return { ok: false, id: envelope.id, error: gatewayError('UNKNOWN_NAME') };
      return { ok: true, envelope, entry };
    },

    checkPayload(entry, payload) {
      if (!entry.validatePayload(payload)) return gatewayError('INVALID_PAYLOAD', describe(entry.validatePayload.errors));
      const unbounded = findUnboundedValue(payload);
      return unbounded ? gatewayError('INVALID_PAYLOAD', { errors: [unbounded] }) : undefined;
    },
  };
}
