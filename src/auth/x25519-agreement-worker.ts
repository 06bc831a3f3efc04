/**
 * Worker side of x25519-agreement.ts: for each client public key of a batch, a fresh server key
 * pair and the X25519 agreement with it. The private keys are made here and dropped here; only the
 * server public keys and the shared secrets go back.
 */
import { parentPort } from 'node:worker_threads';
import { agreeWithFreshKey, type AgreementBatch, type AgreementReply } from './x25519-agreement.ts';

parentPort?.on('message', (batch: AgreementBatch) => {
  const reply: AgreementReply = { id: batch.id, results: batch.peers.map(agreeWithFreshKey) };
  parentPort?.postMessage(reply);
  // postMessage has copied them: this thread's copies of the shared secrets are not needed again.
  for (const r of reply.results) if (r.ok) r.value.secret.fill(0);
});
