/**
 * A helper worker of the browser's verification (browser-platform.ts `workerPool`), as
 * src/audit/audit-worker.ts is the CLI's: leaf hashing and ballot opening with the election's public
 * keys, by the same functions, on the browser's primitives.
 */
import { importElectionKeys, openBallot, type OpeningKeys } from '../../../src/audit/ballot-opening.ts';
import { hashLeafBatch } from '../../../src/audit/leaf-batch.ts';
import { browserPrimitives } from './browser-crypto.ts';
import type { PoolRequest, PoolResponse } from './browser-platform.ts';

const scope = self as unknown as { postMessage(m: PoolResponse, transfer?: Transferable[]): void };
let keys: { electionId: string; opening: OpeningKeys } | undefined;

self.addEventListener('message', (e: MessageEvent<PoolRequest>) => {
  const msg = e.data;
  if (msg.type === 'keys') {
    // Checked by the replay already (ElectionCreated with invalid keys stops the verification).
    keys = { electionId: msg.keys.electionId, opening: importElectionKeys(browserPrimitives, msg.keys) };
    return;
  }
  try {
    if (msg.type === 'leaves') {
      const leaves = hashLeafBatch(browserPrimitives, msg.lines, msg.aligned);
      scope.postMessage({ id: msg.id, leaves }, [leaves.hashes]);
      return;
    }
    const k = keys;
    if (!k) throw new Error('ballots to open before the election keys');
    scope.postMessage({ id: msg.id, results: msg.jobs.map((j) => openBallot(k.opening, k.electionId, j)) });
  } catch (err) {
    scope.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
