/** The pages' HTTP surface: which file each route serves, the security headers, and what is refused. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUwsTransport } from '../../src/gateway/uws.ts';
import { CONTENT_SECURITY_POLICY, loadWebRoot, registerWebRoutes } from '../../src/gateway/web-routes.ts';
import type { Listener } from '../../src/gateway/transport.ts';
import { silentLogger } from '../../src/runtime/log.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'evote-web-root-'));
const listeners: Listener[] = [];

async function serve(webRoot: string | null): Promise<string> {
  const app = createUwsTransport();
  registerWebRoutes(app, { files: webRoot ? loadWebRoot(webRoot) : null, log: silentLogger });
  app.any('/*', (res) => res.writeStatus('404 Not Found').end('fallthrough'));
  const l = await app.listen('127.0.0.1', 0);
  listeners.push(l);
  return `http://127.0.0.1:${l.port}`;
}

let base: string;
beforeAll(async () => {
  for (const page of ['index', 'vote', 'board', 'admin']) writeFileSync(path.join(root, `${page}.html`), `<p>${page}</p>`);
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'assets', 'booth-x.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'booth.json'), '{"sha256":"00"}');
  writeFileSync(path.join(os.tmpdir(), 'evote-secret-beside.txt'), 'secret');
  base = await serve(root);
});
afterAll(() => {
  for (const l of listeners) l.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the web routes', () => {
  it.each([
    ['/', 'index'],
    ['/vote', 'vote'],
    ['/receipt', 'vote'],
    ['/admin', 'admin'],
    ['/elections/e-1', 'board'],
  ])('%s serves %s.html with the strict headers', async (route, page) => {
    const res = await fetch(base + route);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`<p>${page}</p>`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('allows no inline script, no third party and no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/frame-ancestors 'none'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('serves assets immutable, and nothing outside the built files', async () => {
    const js = await fetch(`${base}/assets/booth-x.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    for (const p of ['/assets/nope.js', '/assets/%2e%2e/%2e%2e/evote-secret-beside.txt', '/assets/']) {
      const res = await fetch(base + p);
      expect(res.status, p).not.toBe(200);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('answers 503 with a hint when the front end is not built', async () => {
    const unbuilt = await serve(null);
    const res = await fetch(`${unbuilt}/vote`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
