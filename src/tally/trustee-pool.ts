/** A trustee's partial decryptions on worker threads, with progress: docs/trustees.md, "Decrypting on the trustee's machine". */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { bigIntToBytes, bitLength, bytesToBigInt } from '../crypto/bytes.ts';
import { fail, ok, type CryptoResult } from '../crypto/errors.ts';
import { modPowOpenSsl } from '../crypto/openssl-modpow.ts';
import type { ThresholdParams, TrusteeShare } from '../crypto/threshold-rsa.ts';
import type { BatchPartials } from '../crypto/threshold-rsa-batch.ts';
import { startWorkerThread } from '../runtime/worker-thread.ts';
import type { TrusteeWorkerReply, TrusteeWorkerRequest } from './trustee-protocol.ts';

export interface PartialDecryptionPoolOptions {
  threads?: number;
  /** Ciphertexts per batch, each batch with one proof (default 64, a submission's limit: ~0.16 s of work for RSA-2048). */
  batchSize?: number;
}

export type ProgressCallback = (done: number, total: number) => void;
/** Batch `number` (ciphertexts number·batchSize onward) is done; batches finish in any order. */
export type BatchCallback = (number: number, batch: BatchPartials) => void;

export interface PartialDecryptionPool {
  readonly threads: number;
  /**
   * The trustee's partial decryptions of the ciphertexts, in order, in consecutive batches of
   * batchSize, each with one batched proof (partialDecryptBatch). MESSAGE_OUT_OF_RANGE for a
   * ciphertext not below n, KEY_MISMATCH for a share that is not trustee index's of these params
   * (both before any work); rejects if a worker dies. `onBatch` sees each batch as it finishes (a
   * client sends it while the others are computed).
   */
  decryptAll(
    params: ThresholdParams,
    share: TrusteeShare,
    ciphertexts: readonly bigint[] | readonly Uint8Array[],
    onProgress?: ProgressCallback,
    onBatch?: BatchCallback,
  ): Promise<CryptoResult<BatchPartials[]>>;
  close(): Promise<void>;
}

const MAX_THREADS = 64;
const DEFAULT_BATCH = 64;

function startWorker(): Promise<Worker> {
  const worker = startWorkerThread(new URL('./trustee-worker.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('online', () => {
      worker.off('error', reject);
      resolve(worker);
    });
  });
}

function asIntegers(ciphertexts: readonly bigint[] | readonly Uint8Array[]): bigint[] {
  return ciphertexts.map((c: bigint | Uint8Array) => (typeof c === 'bigint' ? c : bytesToBigInt(c)));
}

export async function createPartialDecryptionPool(opts: PartialDecryptionPoolOptions = {}): Promise<PartialDecryptionPool> {
  const threads = Math.max(1, Math.min(MAX_THREADS, Math.floor(opts.threads ?? availableParallelism())));
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH));
  const started = await Promise.allSettled(Array.from({ length: threads }, startWorker));
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  let busy = false;
  let closed = false;
  let broken: Error | undefined;
  for (const worker of workers) {
    worker.on('exit', (code) => (broken ??= new Error(`partial decryption worker exited with code ${code}`)));
    worker.on('error', (err) => (broken ??= new Error(`partial decryption worker failed: ${err.message}`)));
  }
  let nextId = 0;

  async function run(params: ThresholdParams, share: TrusteeShare, cs: bigint[], onProgress?: ProgressCallback, onBatch?: BatchCallback): Promise<BatchPartials[]> {
    const results: BatchPartials[] = new Array(Math.ceil(cs.length / batchSize));
    const shareBytes = bigIntToBytes(share.s, Math.ceil(bitLength(share.s) / 8));
    for (const worker of workers) {
      const copy = shareBytes.slice();
      worker.postMessage({ type: 'share', params, index: share.index, s: copy } satisfies TrusteeWorkerRequest, [copy.buffer]);
    }
    shareBytes.fill(0);
    let done = 0;
    let next = 0;
    onProgress?.(0, cs.length);
    try {
      await new Promise<void>((resolve, reject) => {
        const pending = new Map<number, { worker: Worker; from: number }>();
        const cleanups: (() => void)[] = [];
        const finish = (err?: Error) => {
          for (const cleanup of cleanups) cleanup();
          if (err) reject(err);
          else resolve();
        };
        const send = (worker: Worker) => {
          if (next >= cs.length) return;
          const id = nextId++;
          pending.set(id, { worker, from: next });
          worker.postMessage({ type: 'batch', id, ciphertexts: cs.slice(next, next + batchSize) } satisfies TrusteeWorkerRequest);
          next += batchSize;
        };
        for (const worker of workers) {
          const onMessage = (reply: TrusteeWorkerReply) => {
            const job = pending.get(reply.id);
            if (!job) return;
            pending.delete(reply.id);
            if ('error' in reply) return finish(new Error(`partial decryption worker failed: ${reply.error}`));
            results[job.from / batchSize] = reply.batch;
            done += reply.batch.xs.length;
            onBatch?.(job.from / batchSize, reply.batch);
            onProgress?.(done, cs.length);
            if (done === cs.length) return finish();
            send(worker);
          };
          const onExit = (code: number) => finish(new Error(`partial decryption worker exited with code ${code}`));
          const onError = (err: Error) => finish(new Error(`partial decryption worker failed: ${err.message}`));
          worker.on('message', onMessage).on('exit', onExit).on('error', onError);
          cleanups.push(() => worker.off('message', onMessage).off('exit', onExit).off('error', onError));
          // Two batches per worker: one running, one waiting (the proof covers one message's batch).
          send(worker);
          send(worker);
        }
      });
    } finally {
      for (const worker of workers) worker.postMessage({ type: 'forget' } satisfies TrusteeWorkerRequest);
    }
    return results;
  }

  return {
    threads,
    async decryptAll(params, share, ciphertexts, onProgress, onBatch) {
      if (closed) throw new Error('partial decryption pool is closed');
      if (broken) throw broken;
      if (busy) throw new Error('partial decryption pool is busy with another trustee run');
      const cs = asIntegers(ciphertexts);
      const outside = cs.findIndex((c) => c < 0n || c >= params.n);
      if (outside >= 0) return fail('MESSAGE_OUT_OF_RANGE', `ciphertext ${outside} is not below n`);
      if (!Number.isInteger(share.index) || share.index < 1 || share.index > params.l || modPowOpenSsl(params.v, share.s, params.n) !== params.vi[share.index - 1]) {
        return fail('KEY_MISMATCH', `the share is not trustee ${share.index}'s share of this key`);
      }
      if (cs.length === 0) return ok([]);
      busy = true;
      try {
        return ok(await run(params, share, cs, onProgress, onBatch));
      } finally {
        busy = false;
      }
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
