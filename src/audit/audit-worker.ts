/** A worker thread of the audit pool; it holds the election's public keys only, never a private one. */
import { parentPort } from 'node:worker_threads';
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { importElectionKeys, openBallot, type ElectionPublicKeys, type OpenBallotJob, type OpeningKeys } from './ballot-opening.ts';
import { hashLeafBatch } from './leaf-batch.ts';

export type WorkerRequest =
  | { type: 'keys'; keys: ElectionPublicKeys }
  | { type: 'open'; id: number; jobs: OpenBallotJob[] }
  | { type: 'leaves'; id: number; lines: string[]; aligned: boolean };

let electionId: string | undefined;
let keys: OpeningKeys | undefined;

parentPort?.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'keys') {
    // Checked by the verifier's replay already (ElectionCreated with invalid keys stops it).
    electionId = msg.keys.electionId;
    keys = importElectionKeys(nodePrimitives, msg.keys);
    return;
  }
  try {
    if (msg.type === 'leaves') {
      const leaves = hashLeafBatch(nodePrimitives, msg.lines, msg.aligned);
      parentPort?.postMessage({ id: msg.id, leaves }, [leaves.hashes]);
      return;
    }
    if (!keys || electionId === undefined) throw new Error('audit worker asked to open ballots before it has the election keys');
    const k = keys;
    const eid = electionId;
    parentPort?.postMessage({ id: msg.id, results: msg.jobs.map((j) => openBallot(k, eid, j)) });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
