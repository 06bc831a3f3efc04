/**
 * One blind-signing worker thread: holds the authority keys it was given (imported once, never sent
 * back) and answers each batch with RFC 9474's blindSign; a failure is a code, never a crash.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { blindSign } from '../crypto/blind-rsa.ts';
import type { SignBatch, SignReply, SigningFailureCode, SigningRequest } from './signing-protocol.ts';

const port = parentPort;
if (!port) throw new Error('the signing worker must run in a worker thread');

/** undefined: the key arrived but did not import (its batches answer KEY_UNUSABLE). */
const keys = new Map<string, KeyObject | undefined>();

function importKey(electionId: string, pkcs8: Uint8Array): void {
  try {
    // A view, not a copy: zeroing pkcs8 below clears the only bytes this thread holds.
    keys.set(electionId, createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' }));
  } catch {
    keys.set(electionId, undefined);
  } finally {
    pkcs8.fill(0);
  }
}

function sign(batch: SignBatch): SignReply {
  const key = keys.get(batch.electionId);
  const kLen = batch.count > 0 ? batch.blinded.length / batch.count : 0;
  const signatures = new Uint8Array(batch.blinded.length);
  const failures: [number, SigningFailureCode][] = [];
  for (let i = 0; i < batch.count; i++) {
    if (!key) {
      failures.push([i, 'KEY_UNUSABLE']);
      continue;
    }
    const signed = blindSign(key, batch.blinded.subarray(i * kLen, (i + 1) * kLen));
    if (signed.ok) signatures.set(signed.value, i * kLen);
    else failures.push([i, signed.error.code]);
  }
  return { id: batch.id, signatures, failures };
}

port.on('message', (request: SigningRequest) => {
  switch (request.type) {
    case 'key':
      return importKey(request.electionId, request.pkcs8);
    case 'forget':
      keys.delete(request.electionId);
      return;
    case 'sign': {
      const reply = sign(request);
      port.postMessage(reply, [reply.signatures.buffer as ArrayBuffer]);
      return;
    }
  }
});
