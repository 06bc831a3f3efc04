/**
 * The gateway's HTTP routes. uWS rules: a response answered after an await registers onAborted
 * first (else uWS terminates the process), and writes inside res.cork.
 */
import type { ReadinessCheck } from '../runtime/readiness.ts';
import type { Logger } from '../runtime/log.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from '../runtime/metrics.ts';
import type { HttpResponse, HttpRouter } from './transport.ts';

export interface HttpRouteDeps {
  readiness: ReadinessCheck[];
  metrics: MetricsRegistry;
  log: Logger;
  /** True once drain() began: readiness fails so load balancers stop routing here. */
  isDraining(): boolean;
  readinessTimeoutMs: number;
}

export interface ReadinessReport {
  /** `degraded`: only services marked degradesOnly are down; still 200 so a balancer keeps routing casts here. */
  status: 'ready' | 'degraded' | 'not_ready';
  draining: boolean;
  /** The names of the failing checks: the services a request may be refused for. */
  down: string[];
  checks: { name: string; ok: boolean; reason?: 'failed' | 'timeout' | 'error' }[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: HttpResponse, status: string, contentType: string, body: string): void {
  res.writeStatus(status).writeHeader('Content-Type', contentType).writeHeader('Cache-Control', 'no-store').end(body);
}

/** Answers after async work, unless the client went away meanwhile. */
function respondLater(res: HttpResponse, log: Logger, route: string, work: () => Promise<{ status: string; type: string; body: string }>): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  work()
    .catch((err: unknown) => {
      log.error('http route failed', { route, error: (err as Error).message });
      return { status: '500 Internal Server Error', type: JSON_TYPE, body: JSON.stringify({ error: { code: 'INTERNAL' } }) };
    })
    .then((r) => {
      if (!aborted) res.cork(() => send(res, r.status, r.type, r.body));
    })
    .catch(() => {
      // The socket closed between the check and the write; nothing left to do.
    });
}

async function runCheck(c: ReadinessCheck, timeoutMs: number): Promise<ReadinessReport['checks'][number]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const r = await Promise.race([c.check().then((ok) => (ok ? 'ok' : 'failed')), timeout]);
    return r === 'ok' ? { name: c.name, ok: true } : { name: c.name, ok: false, reason: r };
  } catch {
    return { name: c.name, ok: false, reason: 'error' };
  } finally {
    clearTimeout(timer);
  }
}

export async function readinessReport(checks: ReadinessCheck[], timeoutMs: number, draining: boolean): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const failing = checks.filter((_, i) => !results[i]!.ok);
  const status = draining || failing.some((c) => !c.degradesOnly) ? 'not_ready' : failing.length > 0 ? 'degraded' : 'ready';
  return { status, draining, down: failing.map((c) => c.name), checks: results };
}

export function registerHttpRoutes(app: HttpRouter, deps: HttpRouteDeps): void {
  app.get('/healthz', (res) => send(res, '200 OK', JSON_TYPE, JSON.stringify({ status: 'ok' })));

  app.get('/readyz', (res) =>
    respondLater(res, deps.log, '/readyz', async () => {
      const report = await readinessReport(deps.readiness, deps.readinessTimeoutMs, deps.isDraining());
      return { status: report.status !== 'not_ready' ? '200 OK' : '503 Service Unavailable', type: JSON_TYPE, body: JSON.stringify(report) };
    }),
  );

  app.get('/metrics', (res) =>
    respondLater(res, deps.log, '/metrics', async () => ({ status: '200 OK', type: PROMETHEUS_CONTENT_TYPE, body: await deps.metrics.renderPrometheus() })),
  );

  app.any('/*', (res) => send(res, '404 Not Found', JSON_TYPE, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } })));
}
