/** The web feature: the booth, the board and the console, served from the built front end (docs/web.md). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureFactory } from '../feature.ts';
import { registerWebRoutes } from '../../gateway/web-routes.ts';
import { localBoothHash } from '../../client/booth-hash.ts';

/** EVOTE_WEB_ROOT, else dist/web beside the compiled code (dist/app/…) or the sources (src/app/…). */
export function defaultWebRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.EVOTE_WEB_ROOT) return env.EVOTE_WEB_ROOT;
  const candidates = [new URL('../../web', import.meta.url), new URL('../../../dist/web', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((dir) => existsSync(`${dir}/vote.html`)) ?? null;
}

export const webFeature: FeatureFactory = async (ctx) => {
  const root = defaultWebRoot();
  if (root) {
    // Once, so an operator can compare what this server serves with `evote booth hash` of a fresh clone's build.
    const booth = await localBoothHash(root).catch((err: Error) => ({ error: err.message }));
    if ('error' in booth) ctx.log.warn('the booth bundle could not be hashed', { root, error: booth.error });
    else if (booth.recorded !== booth.sha256) ctx.log.warn('booth bundle hash differs from its booth.json', { boothHash: booth.sha256, recorded: booth.recorded, root });
    else ctx.log.info('booth bundle', { boothHash: booth.sha256, root });
  }
  return {
    name: 'web',
    httpRoutes: (app) => registerWebRoutes(app, { root, log: ctx.log }),
  };
};
