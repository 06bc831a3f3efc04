/**
 * One tally worker thread: imports the counter's key once (it never leaves the thread) and answers
 * each batch in order; a ballot that throws is reported undecryptable, never a crash.
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
