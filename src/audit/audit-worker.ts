/**
 * A worker thread of the audit pool: opens batches of counted ballots (ballot-opening.ts). Holds the
 * election's public keys only; it never sees a private key, because the audit needs none.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { importElectionKeys, openBallot, type ElectionPublicKeys, type OpenBallotJob } from './ballot-opening.ts';

export type WorkerRequest = { type: 'open'; id: number; jobs: OpenBallotJob[] };

const init = workerData as ElectionPublicKeys;
const electionId = init.electionId;
const keys: { authority: KeyObject; ballot: KeyObject } | undefined = importElectionKeys(init);

parentPort?.on('message', (msg: WorkerRequest) => {
  try {
    if (!keys) throw new Error('audit worker used before init');
    const k = keys;
    parentPort?.postMessage({ id: msg.id, results: msg.jobs.map((j) => openBallot(k, electionId, j)) });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
