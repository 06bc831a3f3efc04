/**
 * One tally worker thread: imports the counter's key once (it never leaves the thread), or for a
 * trustee election the public threshold parameters, and answers each batch in order; a ballot that
 * throws is reported undecryptable, never a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { openBallot } from './open-ballot.ts';
import { importClassKeys } from './weighted-signature.ts';
import { openBallotsWithPartials, openBallotWithPartials, type ThresholdBallotKeys, type ThresholdOpening } from './open-ballot-threshold.ts';
import { rawPrivateOps } from './raw-probe.ts';
import { threadCpuNanos } from '../runtime/thread-cpu.ts';
import { parseThresholdParams } from '../crypto/threshold-rsa.ts';
import { rsaPublicNumbers } from '../crypto/rsa.ts';
import type { OpenedBallot } from './classify.ts';
import type { StoredPartial } from './trustee-partials-store.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';

const init = workerData as WorkerInit;
const authorityPublicKey = createPublicKey({ key: Buffer.from(init.authorityPublicKeySpki), format: 'der', type: 'spki' });
const counterPrivateKey: KeyObject | undefined = init.counterPrivateKeyPkcs8 && createPrivateKey({ key: Buffer.from(init.counterPrivateKeyPkcs8), format: 'der', type: 'pkcs8' });
init.counterPrivateKeyPkcs8?.fill(0);
const classes = importClassKeys(init.weightClasses);
const threshold = init.threshold && thresholdKeys(init.threshold);

function thresholdKeys(t: NonNullable<WorkerInit['threshold']>): ThresholdBallotKeys {
  const params = parseThresholdParams(t.params);
  if (!params.ok) throw new Error("the election's threshold parameters do not parse");
  const ballotPublicKey = createPublicKey({ key: Buffer.from(t.ballotPublicKeySpki), format: 'der', type: 'spki' });
  return { electionId: init.electionId, params: params.value, ballotPublicKey, authorityPublicKey, ...(classes && { classes }), kLen: rsaPublicNumbers(ballotPublicKey).modulusBytes };
}

const unopened: OpenedBallot = { kind: 'undecryptable', revealedR: null, choice: null, n2Commitment: null };

function safely(open: () => OpenedBallot): OpenedBallot {
  try {
    return open();
  } catch {
    return unopened;
  }
}

function answerWithPartials(id: number, keys: ThresholdBallotKeys, ciphertexts: string[], partials: StoredPartial[][]): WorkerReply {
  const reply: WorkerReply = { id, ballots: [], faults: [], short: [], failed: [] };
  let openings: ThresholdOpening[];
  try {
    openings = openBallotsWithPartials(keys, ciphertexts, partials);
  } catch {
    // One ballot threw: open one by one so that only it is reported undecryptable.
    openings = ciphertexts.map((ciphertext, ballot) => {
      try {
        return openBallotWithPartials(keys, ciphertext, partials[ballot] ?? []);
      } catch {
        return { opened: unopened, faults: [] };
      }
    });
  }
  openings.forEach((opening, ballot) => {
    for (const f of opening.faults) reply.faults?.push({ ...f, ballot });
    if ('opened' in opening) return void reply.ballots.push(opening.opened);
    reply.ballots.push(unopened);
    if ('short' in opening) reply.short?.push({ ballot, have: opening.short.have });
    else reply.failed?.push(ballot);
  });
  return reply;
}

function answer(request: WorkerRequest): WorkerReply {
  if ('ciphertexts' in request) {
    if (threshold) return answerWithPartials(request.id, threshold, request.ciphertexts, request.partials ?? []);
    const keys = { electionId: init.electionId, counterPrivateKey: counterPrivateKey as KeyObject, authorityPublicKey, ...(classes && { classes }) };
    return { id: request.id, ballots: request.ciphertexts.map((c) => safely(() => openBallot(keys, c))) };
  }
  return { id: request.id, ballots: [], raw: init.measureCpu && counterPrivateKey ? rawPrivateOps(counterPrivateKey, request.rawProbeMillis) : { ops: 0, wallMillis: 0 } };
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
