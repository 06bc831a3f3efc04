/** The credentials feature: issuance and resending of letters, the admin's letters download, the `credentials` read model (never joined to voters) and its count. */
import path from 'node:path';
import type { FeatureFactory } from '../feature.ts';
import { createCredentialIssuer } from '../../commands/credential-issuance.ts';
import { countCredentials, credentialsProjection } from '../../projections/credentials-projection.ts';
import { credentialMessageModule } from '../../gateway/messages/credentials.ts';
import { registerLettersRoute } from '../../gateway/letters-route.ts';

/** Pooled SMTP connections per issuance run (the mailer's default is 5; more keeps a batch moving). */
const SMTP_CONNECTIONS = 10;

export const credentialsFeature: FeatureFactory = async (ctx) => {
  const issuer = createCredentialIssuer({
    store: ctx.store,
    keyStore: ctx.keyStore,
    now: ctx.now,
    pool: ctx.pool,
    smtpUrl: ctx.config.smtpUrl,
    mailerOptions: { maxConnections: SMTP_CONNECTIONS },
  });
  const lettersRoot = path.resolve(ctx.config.dataDir, 'letters');
  // Beside the letters root, so a letters folder holds exactly one PDF and one PNG per voter.
  const printRoot = path.resolve(ctx.config.dataDir, 'printable-letters');
  ctx.services.credentialIssuer = issuer;
  return {
    name: 'credentials',
    messages: credentialMessageModule({
      issuer,
      countCredentials: (electionId) => countCredentials(ctx.sql, electionId),
      // The schema admits only a plain folder name, so the result stays under the letters root.
      lettersDir: (electionId, outDir) => path.join(lettersRoot, outDir ?? electionId),
      printDir: (folder) => path.join(printRoot, folder),
    }),
    projections: [credentialsProjection()],
    httpRoutes: (app, gateway) => registerLettersRoute(app, { root: printRoot, adminToken: gateway.adminToken, log: ctx.log }),
  };
};
