/** Worker side of x25519-agreement.ts; the private keys are made and dropped here. */
import { parentPort } from 'node:worker_threads';
import { agreeWithFreshKey, type AgreementBatch, type AgreementReply } from './x25519-agreement.ts';

parentPort?.on('message', (batch: AgreementBatch) => {
  const reply: AgreementReply = { id: batch.id, results: batch.peers.map(agreeWithFreshKey) };
  parentPort?.postMessage(reply);
  // postMessage has copied them: this thread's copies of the shared secrets are not needed again.
  for (const r of reply.results) if (r.ok) r.value.secret.fill(0);
});
