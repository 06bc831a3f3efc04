/**
 * The CLI's connection to a server: the URL and admin token from options or the environment, and
 * request() that turns the client's typed errors into exit codes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EvoteConnection, EvoteError, type Kind, type RequestOptions } from '../client/connection.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { LetterError } from '../client/voter.ts';

export interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
  timeout: string;
  dataDir: string;
}

/** The admin token: --token, EVOTE_ADMIN_TOKEN, or the embedded server's data/admin-token file. */
export function adminToken(opts: GlobalOptions): string {
  if (opts.token) return opts.token;
  if (process.env.EVOTE_ADMIN_TOKEN) return process.env.EVOTE_ADMIN_TOKEN;
  try {
    return readFileSync(path.join(opts.dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    throw new CliError(EXIT.USAGE, 'no admin token: pass --token, set EVOTE_ADMIN_TOKEN, or run next to an embedded server (data/admin-token)', 'NO_ADMIN_TOKEN');
  }
}

export async function connect(opts: GlobalOptions): Promise<EvoteConnection> {
  try {
    return await EvoteConnection.connect(opts.url, { timeoutMs: Number(opts.timeout) });
  } catch (err) {
    throw new CliError(EXIT.UNREACHABLE, `cannot reach the server at ${opts.url} (${(err as Error).message.replace(/^cannot connect to \S+: /, '')})`, 'UNREACHABLE');
  }
}

/**
 * The one-line CliError for a failure of the client library: the server's refusals exit 1 with
 * their code (a CSV refusal names its line), lost connections exit 3, unreadable letters exit 4.
 * Anything else is returned unchanged (main.ts reports it as internal).
 */
export function toCliError(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof LetterError) return new CliError(EXIT.LOCAL_INPUT, err.message, err.code);
  if (err instanceof EvoteError) {
    const unreachable = err.code === 'CONNECTION_CLOSED' || err.code === 'TIMEOUT' || err.code === 'UNREACHABLE';
    const exit = unreachable ? EXIT.UNREACHABLE : err.code === 'USAGE' ? EXIT.USAGE : EXIT.REFUSED;
    const where = err.details && typeof err.details.line === 'number' ? ` (line ${err.details.line})` : '';
    const hint = err.code === 'UNAUTHORIZED' ? ' (check --token / EVOTE_ADMIN_TOKEN)' : '';
    return new CliError(exit, `${err.message}${where}${hint}`, err.code);
  }
  return err;
}

export async function request<T>(conn: EvoteConnection, kind: Kind, name: string, payload: unknown, opts: RequestOptions = {}): Promise<T> {
  try {
    return await conn.request<T>(kind, name, payload, opts);
  } catch (err) {
    throw toCliError(err);
  }
}

/** Runs `fn` with a connection, always closing it. */
export async function withConnection<T>(opts: GlobalOptions, fn: (conn: EvoteConnection) => Promise<T>): Promise<T> {
  const conn = await connect(opts);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
