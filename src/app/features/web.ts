/** The web feature: the booth, the board and the console, served from the built front end (docs/web.md). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureFactory } from '../feature.ts';
import { registerWebRoutes } from '../../gateway/web-routes.ts';

/** EVOTE_WEB_ROOT, else dist/web beside the compiled code (dist/app/…) or the sources (src/app/…). */
export function defaultWebRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.EVOTE_WEB_ROOT) return env.EVOTE_WEB_ROOT;
  const candidates = [new URL('../../web', import.meta.url), new URL('../../../dist/web', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((dir) => existsSync(`${dir}/vote.html`)) ?? null;
}

export const webFeature: FeatureFactory = async (ctx) => ({
  name: 'web',
  httpRoutes: (app) => registerWebRoutes(app, { root: defaultWebRoot(), log: ctx.log }),
});
