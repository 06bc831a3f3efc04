/**
 * One tally worker thread. It receives the counter's private key once (PKCS#8 DER in workerData,
 * imported here into a KeyObject that never leaves the thread) and then batches of ciphertexts;
 * it answers each batch with one OpenedBallot per ciphertext, in the same order.
 * A ballot that makes the crypto throw unexpectedly is reported as undecryptable, never as a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { openBallot, type BallotKeys } from './open-ballot.ts';
import { rawPrivateOps } from './raw-probe.ts';
import { threadCpuNanos } from '../runtime/thread-cpu.ts';
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
    return { kind: 'undecryptable', revealedR: null, choice: null, n2Commitment: null };
  }
}

function answer(request: WorkerRequest): WorkerReply {
  if ('ciphertexts' in request) return { id: request.id, ballots: request.ciphertexts.map(openSafely) };
  // A raw probe: the benchmark's limit measured in this very thread, with this very key object.
  return { id: request.id, ballots: [], raw: init.measureCpu ? rawPrivateOps(keys.counterPrivateKey, request.rawProbeMillis) : { ops: 0, wallMillis: 0 } };
}

const port = parentPort;
if (!port) throw new Error('tally worker must run in a worker thread');
port.on('message', (request: WorkerRequest) => {
  const cpu0 = init.measureCpu ? threadCpuNanos() : undefined;
  const reply = answer(request);
  const cpu1 = cpu0 === undefined ? undefined : threadCpuNanos();
  if (cpu0 !== undefined && cpu1 !== undefined) reply.cpuNanos = cpu1 - cpu0;
  port.postMessage(reply);
});
port.postMessage({ ready: true });
