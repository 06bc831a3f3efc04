/**
 * Serves the browser front end (web/, built into dist/web by bin/build.js): the booth at /vote and
 * /receipt, the board at /elections/:id, the console at /admin, with a Content-Security-Policy that
 * allows only the gateway's own scripts, styles and WebSocket (docs/web.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../runtime/log.ts';
import type { HttpResponse, HttpRouter } from './transport.ts';

/** No inline script or style, no third party, no framing; 'self' covers ws:/wss: to this host. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface WebFile {
  body: Buffer;
  type: string;
}

/** A built front end's files by path relative to its root (`vote.html`, `assets/…`). */
export type WebFiles = Map<string, WebFile>;

/** Every file of a built front end, read once: it is small and never changes while the server runs. */
export function loadWebRoot(root: string): WebFiles | null {
  try {
    if (!statSync(path.join(root, 'vote.html')).isFile()) return null;
  } catch {
    return null;
  }
  const files: WebFiles = new Map();
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    if (rel.startsWith('.')) continue;
    files.set(rel, { body: readFileSync(path.join(root, rel)), type: TYPES[path.extname(rel)] ?? 'application/octet-stream' });
  }
  return files;
}

function sendFile(res: HttpResponse, file: WebFile, immutable: boolean): void {
  res.cork(() => {
    res
      .writeStatus('200 OK')
      .writeHeader('Content-Type', file.type)
      .writeHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .writeHeader('X-Content-Type-Options', 'nosniff')
      .writeHeader('Referrer-Policy', 'no-referrer')
      .writeHeader('Cross-Origin-Opener-Policy', 'same-origin')
      .writeHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()')
      .writeHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.write(file.body);
    res.end();
  });
}

function notBuilt(res: HttpResponse): void {
  res
    .writeStatus('503 Service Unavailable')
    .writeHeader('Content-Type', 'text/plain; charset=utf-8')
    .end('evote: the web front end is not built (run `npm run build`, or `npm start`, which builds it)\n');
}

/** Registers the pages over the files loadWebRoot read, or null when the front end is not built (503). */
export function registerWebRoutes(app: HttpRouter, deps: { files: WebFiles | null; log: Logger }): void {
  const { files } = deps;
  const page = (name: string) => (res: HttpResponse) => {
    const file = files?.get(name);
    if (file) sendFile(res, file, false);
    else notBuilt(res);
  };
  app.get('/', page('index.html'));
  app.get('/vote', page('vote.html'));
  app.get('/receipt', page('vote.html'));
  app.get('/admin', page('admin.html'));
  app.get('/elections/:id', page('board.html'));
  app.get('/booth.json', page('booth.json'));
  app.get('/assets/*', (res, req) => {
    const file = files?.get(req.getUrl().slice(1));
    if (file) sendFile(res, file, true);
    else res.writeStatus('404 Not Found').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('not found\n');
  });
}
