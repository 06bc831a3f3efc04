/**
 * The audit feature: the transparency-log projection, its checkpointer, the proof queries and
 * `GET /elections/:id/log` (cadence settings in docs/audit.md).
 */
import type { FeatureFactory } from '../feature.ts';
import { transparencyLogProjection } from '../../projections/transparency-log-projection.ts';
import { createCheckpointer } from '../../audit/checkpointer.ts';
import { auditMessageModule } from '../../gateway/messages/audit.ts';
import { registerLogExportRoute } from '../../gateway/log-export-route.ts';

function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

export const auditFeature: FeatureFactory = async (ctx) => {
  const checkpointer = createCheckpointer({
    sql: ctx.sql,
    store: ctx.store,
    keyStore: ctx.keyStore,
    log: ctx.log,
    now: ctx.now,
    everyEvents: Math.floor(positiveFromEnv('EVOTE_LOG_CHECKPOINT_EVENTS', 1000)),
    everyMs: positiveFromEnv('EVOTE_LOG_CHECKPOINT_SECONDS', 5) * 1000,
  });
  return {
    name: 'audit',
    projections: [transparencyLogProjection()],
    messages: auditMessageModule({ db: ctx.sql, store: ctx.store, pubsub: ctx.pubsub, log: ctx.log }),
    httpRoutes: (app) => registerLogExportRoute(app, { store: ctx.store, log: ctx.log }),
    async start() {
      checkpointer.start();
    },
    async close() {
      await checkpointer.stop();
    },
  };
};
