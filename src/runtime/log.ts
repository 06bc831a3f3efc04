/**
 * The process's one logging path: pino, one JSON line per record, on stderr unless a destination is
 * given. Fields named in SECRET_FIELDS are replaced by REDACTED wherever they are, up to
 * NESTED_DEPTH objects down; never put a secret in the message text or under another name
 * (docs/architecture.md, "Logging").
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The project's logging interface: message first, then structured fields. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** What a redacted field's value becomes. */
export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secret or personal, wherever the code might log them: voters'
 * addresses and names, the letter's code, N1 and N2, tokens and login proofs, keys (JWK private
 * members included), and what would tie a ballot to its arrival time.
 */
export const SECRET_FIELDS: readonly string[] = [
  // personal data
  'email', 'emails', 'emailAddress', 'e-mail', 'to', 'cc', 'bcc', 'address', 'remoteAddress', 'forwardedFor',
  'x-forwarded-for', 'ip', 'voterName', 'fullName', 'displayName', 'csv',
  // the letter
  'code', 'secretCode', 'n1', 'n2', 'N1', 'N2', 'hashN1', 'salt', 'letter', 'credential', 'credentialUri', 'uri',
  // login and tokens
  'token', 'accessToken', 'refreshToken', 'adminToken', 'authorization', 'Authorization', 'cookie', 'password',
  'passphrase', 'secret', 'mac', 'proof', 'sessionId', 'sharedKey', 'clientKey', 'apiKey',
  // keys
  'key', 'privateKey', 'masterKey', 'piiKey', 'pkcs8', 'jwk', 'seed', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k',
  // a ballot with the time it arrived
  'ciphertext', 'ballotHash', 'n2Commitment', 'commitment', 'receipt',
];

const SECRET = new Set(SECRET_FIELDS);
const pathOf = (field: string) => (/^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`);

/** pino redact paths: each secret field at the top level of a record and of a child's bindings. */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.map(pathOf);

/** How many objects down nested fields are censored; anything deeper becomes TOO_DEEP. */
const NESTED_DEPTH = 4;
export const TOO_DEEP = '[TOO DEEP]';

/**
 * The same names below the top level. pino's wildcard paths (`*.email`) would do it but cost each
 * line about a microsecond per path (~85 µs for this list, BENCHMARKS.md); one walk over nested
 * values costs next to nothing, and reaches arrays and deeper objects too.
 */
function censorNested(value: unknown, depth: number): unknown {
  // Dates and Buffers print through toJSON; Errors are left whole (the code logs err.message).
  if (value === null || typeof value !== 'object' || value instanceof Error || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (depth > NESTED_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => censorNested(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET.has(k) ? REDACTED : censorNested(v, depth + 1);
  return out;
}

function censorRecord(record: Record<string, unknown>): Record<string, unknown> {
  for (const v of Object.values(record)) {
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, w] of Object.entries(record)) out[k] = censorNested(w, 1);
      return out;
    }
  }
  return record;
}

/** A configuration error: EVOTE_LOG_LEVEL names no level. */
export class LogLevelError extends Error {
  readonly code = 'CONFIG_ERROR' as const;
}

/** The level from EVOTE_LOG_LEVEL (default info); refuses an unknown name. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.EVOTE_LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if (!(LEVELS as readonly string[]).includes(raw)) throw new LogLevelError(`EVOTE_LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  return raw as LogLevel;
}

function adapt(p: PinoLogger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => adapt(p.child(fields)),
  };
}

export interface LoggerOptions {
  /** Default: EVOTE_LOG_LEVEL, else info. */
  level?: LogLevel;
  /** Fields on every line. */
  base?: Record<string, unknown>;
  /** Where lines go (each a JSON text ending in a newline). Default: stderr, written synchronously. */
  destination?: DestinationStream;
}

/** A redacting pino logger behind the project's `Logger` interface. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const p = pino(
    {
      level: opts.level ?? logLevelFromEnv(),
      base: opts.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: censorRecord, bindings: censorRecord },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
  return adapt(p);
}

/** A logger that drops everything: for tests and benchmarks. */
export const silentLogger: Logger = adapt(pino({ level: 'silent' }));
