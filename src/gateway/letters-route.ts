/**
 * `GET /admin/letters/<folder>/<file>.pdf`: a printable letters PDF from the letters root, to the
 * admin only (`Authorization: Bearer <admin token>`), never cached, never a path outside the root.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../runtime/log.ts';
import { createAdminTokenCheck } from './admin-auth.ts';
import type { HttpResponse, HttpRouter } from './transport.ts';

export const LETTERS_ROUTE = '/admin/letters';
/** The same rule as credentials.issue's outDir: a plain folder name, no separators, no leading dot. */
const FOLDER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const FILE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}\.pdf$/;
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/** The path credentials.issue and credentials.resend answer for a letters PDF. */
export function lettersDownloadPath(folder: string, file: string): string {
  return `${LETTERS_ROUTE}/${folder}/${file}`;
}

function refuse(res: HttpResponse, status: string, code: string, message: string, extra: [string, string][] = []): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('Content-Type', 'application/json; charset=utf-8').writeHeader('Cache-Control', 'no-store');
    for (const [k, v] of extra) res.writeHeader(k, v);
    res.end(JSON.stringify({ error: { code, message } }));
  });
}

export function registerLettersRoute(app: HttpRouter, deps: { root: string; adminToken: string; log: Logger }): void {
  const isAdmin = createAdminTokenCheck(deps.adminToken);
  const root = path.resolve(deps.root);
  app.get(`${LETTERS_ROUTE}/:folder/:file`, (res, req) => {
    // The request is readable only now, before any await.
    const presented = BEARER.exec(req.getHeader('authorization'))?.[1];
    const folder = req.getParameter(0) ?? '';
    const file = req.getParameter(1) ?? '';
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    if (!isAdmin(presented)) {
      return refuse(res, '401 Unauthorized', 'UNAUTHORIZED', 'the admin token is required: Authorization: Bearer <token>', [['WWW-Authenticate', 'Bearer realm="evote admin"']]);
    }
    if (!FOLDER.test(folder) || !FILE.test(file)) return refuse(res, '404 Not Found', 'NOT_FOUND', 'no such letters file');
    const full = path.join(root, folder, file);
    // Belt and braces: the patterns admit no separator, but the answer must never leave the root.
    const rel = path.relative(root, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return refuse(res, '404 Not Found', 'NOT_FOUND', 'no such letters file');
    void (async () => {
      // lstat on both: a symbolic link (to anywhere) is not a letters file.
      const [dir, stat] = await Promise.all([lstat(path.join(root, folder)), lstat(full)]);
      if (!dir.isDirectory() || !stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const body = await readFile(full);
      if (aborted) return;
      res.cork(() => {
        res
          .writeStatus('200 OK')
          .writeHeader('Content-Type', 'application/pdf')
          .writeHeader('Content-Disposition', `attachment; filename="${file}"`)
          .writeHeader('Cache-Control', 'no-store')
          .writeHeader('X-Content-Type-Options', 'nosniff')
          .writeHeader('Referrer-Policy', 'no-referrer')
          .writeHeader('Content-Security-Policy', "default-src 'none'; sandbox");
        res.write(body);
        res.end();
      });
    })().catch((err: unknown) => {
      if (aborted) return;
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return refuse(res, '404 Not Found', 'NOT_FOUND', 'no such letters file');
      deps.log.error('letters download failed', { error: (err as Error).message });
      refuse(res, '500 Internal Server Error', 'INTERNAL', 'the letters file could not be read');
    });
  });
}
