/** The web feature: the booth, the board and the console, served from the built front end (docs/web.md). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureFactory } from '../feature.ts';
import { loadWebRoot, registerWebRoutes } from '../../gateway/web-routes.ts';
import { boothHashFrom, recordedBoothHash } from '../../client/booth-hash.ts';

/** EVOTE_WEB_ROOT, else dist/web beside the compiled code (dist/app/…) or the sources (src/app/…). */
export function defaultWebRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.EVOTE_WEB_ROOT) return env.EVOTE_WEB_ROOT;
  const candidates = [new URL('../../web', import.meta.url), new URL('../../../dist/web', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((dir) => existsSync(`${dir}/vote.html`)) ?? null;
}

export const webFeature: FeatureFactory = async (ctx) => {
  const root = defaultWebRoot();
  // Read once: the routes serve these bytes, and the hash logged is the hash of what is served.
  const files = root ? loadWebRoot(root) : null;
  if (!files) ctx.log.warn('the web front end is not built: pages answer 503', { root });
  else {
    // So an operator can compare what this server serves with `evote booth hash` of a fresh clone's build.
    const booth = await boothHashFrom(async (p) => {
      const file = files.get(p);
      if (!file) throw new Error(`the build lacks ${p}, which vote.html references`);
      return file.body;
    }).catch((err: Error) => ({ error: err.message }));
    const recorded = recordedBoothHash(files.get('booth.json')?.body.toString('utf8'));
    if ('error' in booth) ctx.log.warn('the booth bundle could not be hashed', { root, error: booth.error });
    else if (recorded !== booth.sha256) ctx.log.warn('booth bundle hash differs from its booth.json', { boothHash: booth.sha256, recorded, root });
    else ctx.log.info('booth bundle', { boothHash: booth.sha256, root });
  }
  return {
    name: 'web',
    httpRoutes: (app) => registerWebRoutes(app, { files, log: ctx.log }),
  };
};
