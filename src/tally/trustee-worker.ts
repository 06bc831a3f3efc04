/**
 * One partial-decryption worker: holds one trustee's share between 'share' and 'forget' and answers
 * each batch in order; an exception is reported as a message, never a crash.
 */
import { parentPort } from 'node:worker_threads';
import { bytesToBigInt } from '../crypto/bytes.ts';
import type { ThresholdParams, TrusteeShare } from '../crypto/threshold-rsa.ts';
import { partialDecryptBatch } from '../crypto/threshold-rsa-batch.ts';
import type { TrusteeWorkerReply, TrusteeWorkerRequest } from './trustee-protocol.ts';

const port = parentPort;
if (!port) throw new Error('the trustee worker must run in a worker thread');

let loaded: { params: ThresholdParams; share: TrusteeShare } | undefined;

port.on('message', (request: TrusteeWorkerRequest) => {
  if (request.type === 'share') {
    loaded = { params: request.params, share: { index: request.index, s: bytesToBigInt(request.s) } };
    request.s.fill(0);
    return;
  }
  if (request.type === 'forget') {
    loaded = undefined;
    return;
  }
  let reply: TrusteeWorkerReply;
  try {
    if (!loaded) throw new Error('no share loaded');
    const { params, share } = loaded;
    reply = { id: request.id, batch: partialDecryptBatch(params, share, request.ciphertexts) };
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : 'partial decryption failed' };
  }
  port.postMessage(reply);
});
