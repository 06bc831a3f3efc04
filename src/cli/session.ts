/** The CLI's connection to a server: URL and admin token, and the admin facade's errors as exit codes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EvoteConnection, EvoteError, backoffDelay } from '../client/connection.ts';
import { EvoteAdmin } from '../client/admin.ts';
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
function adminToken(opts: GlobalOptions): string {
  if (opts.token) return opts.token;
  if (process.env.EVOTE_ADMIN_TOKEN) return process.env.EVOTE_ADMIN_TOKEN;
  try {
    return readFileSync(path.join(opts.dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    throw new CliError(EXIT.USAGE, 'no admin token: pass --token, set EVOTE_ADMIN_TOKEN, or run next to an embedded server (data/admin-token)', 'NO_ADMIN_TOKEN');
  }
}

/** Attempts to reach the server before exit 3: a gateway restarting or a balancer switching over takes a second or two. */
const CONNECT_RETRY = { retries: 3, initialDelayMs: 250, maxDelayMs: 2_000 };

async function connect(opts: GlobalOptions): Promise<EvoteConnection> {
  try {
    // Queries survive a dropped connection, refusals that promise nothing was done are retried; commands are never re-sent.
    return await connectWithRetries(() => EvoteConnection.connect(opts.url, { timeoutMs: Number(opts.timeout), reconnect: true, retry: true }));
  } catch (err) {
    throw new CliError(EXIT.UNREACHABLE, `cannot reach the server at ${opts.url} (${(err as Error).message.replace(/^cannot connect to \S+: /, '')})`, 'UNREACHABLE');
  }
}

async function connectWithRetries(open: () => Promise<EvoteConnection>): Promise<EvoteConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (attempt > CONNECT_RETRY.retries) throw err;
    }
    await new Promise((res) => setTimeout(res, backoffDelay(attempt, CONNECT_RETRY)));
  }
}

/** The one-line CliError for a client-library failure (refusal 1, lost connection 3, bad letter 4); anything else unchanged. */
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

/** Runs `fn` with the admin facade on a fresh connection, always closing it; public queries pass `{ token: false }`. */
export async function withAdmin<T>(opts: GlobalOptions, fn: (admin: EvoteAdmin) => Promise<T>, { token = true }: { token?: boolean } = {}): Promise<T> {
  const adminTokenValue = token ? adminToken(opts) : '';
  const conn = await connect(opts);
  try {
    return await fn(new EvoteAdmin(conn, adminTokenValue));
  } catch (err) {
    throw toCliError(err);
  } finally {
    await conn.close();
  }
}
