/** The web booth's voting application (docs/web.md): booth.setApp and booth.app, after the auth feature. */
import type { FeatureFactory } from '../feature.ts';
import type { ClientKeys } from '../../auth/client-keys.ts';
import { createClientKeys } from '../../auth/client-keys.ts';
import { createBoothAppHandlers } from '../../commands/booth-app.ts';
import { boothMessageModule } from '../../gateway/messages/booth.ts';

export const boothFeature: FeatureFactory = async (ctx) => {
  // The auth feature's cache, evicted on every revocation in every process; a cache-less reader otherwise.
  const clientKeys = (ctx.services.clientKeys as ClientKeys | undefined) ?? createClientKeys(ctx.keyStore, { ttlMs: 0 });
  const booth = createBoothAppHandlers({ store: ctx.store, clientKey: (id) => clientKeys.get(id), now: ctx.now });
  return { name: 'booth', messages: boothMessageModule(booth) };
};
