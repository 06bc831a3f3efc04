/**
 * One tally worker thread. It receives the counter's private key once (PKCS#8 DER in workerData,
 * imported here into a KeyObject that never leaves the thread) and then batches of ciphertexts;
 * it answers each batch with one OpenedBallot per ciphertext, in the same order.
 * A ballot that makes the crypto throw unexpectedly is reported as undecryptable, never as a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { openBallot, type BallotKeys } from './open-ballot.ts';
import type { OpenedBallot } from './classify.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';

const init = workerData as WorkerInit;
const keys: BallotKeys = {
  electionId: init.electionId,
  counterPrivateKey: createPrivateKey({ key: Buffer.from(init.counterPrivateKeyPkcs8), format: 'der', type: 'pkcs8' }),
  authorityPublicKey: createPublicKey({ key: Buffer.from(init.authorityPublicKeySpki), format: 'der', type: 'spki' }),
};
// The DER copy is no longer needed once imported.
init.counterPrivateKeyPkcs8.fill(0);

function openSafely(ciphertext: string): OpenedBallot {
  try {
    return openBallot(keys, ciphertext);
  } catch {
    return { kind: 'undecryptable', revealedR: null, choice: null, hashN2: null };
  }
}

const port = parentPort;
if (!port) throw new Error('tally worker must run in a worker thread');
port.on('message', (request: WorkerRequest) => {
  const reply: WorkerReply = { id: request.id, ballots: request.ciphertexts.map(openSafely) };
  port.postMessage(reply);
});
port.postMessage({ ready: true });
