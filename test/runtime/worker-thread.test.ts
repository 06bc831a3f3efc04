/**
 * Workers started from a TypeScript entry bundled once by esbuild (every pool's workers: tally,
 * audit, QR): the bundle is really built (no silent fallback to the slower tsx loader), and the
 * bundled code computes what the sources compute on the main thread.
 */
import { describe, it, expect } from 'vitest';
import { once } from 'node:events';
import { bundleWorkerEntry, runningCompiled, startWorkerThread } from '../../src/runtime/worker-thread.ts';
import { leafHashOfText } from '../../src/crypto/merkle.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';

const entry = new URL('./fixtures/leaf-hash-worker.ts', import.meta.url);

describe('startWorkerThread from sources', () => {
  it('knows it runs from the sources (compiled mode is test/build/build.test.ts)', () => {
    expect(runningCompiled).toBe(false);
  });

  it('bundles the entry and its imports into one script, once per process', () => {
    const code = bundleWorkerEntry(entry);
    expect(code).toEqual(expect.stringContaining('leafHashOfText'));
    expect(bundleWorkerEntry(entry)).toBe(code);
  });

  it('runs the bundled TypeScript in a worker with the sources\' behaviour', async () => {
    const worker = startWorkerThread(entry);
    try {
      worker.postMessage('{"a":"é"}');
      const [hex] = (await once(worker, 'message')) as [string];
      expect(hex).toBe(Buffer.from(leafHashOfText('{"a":"é"}')).toString('hex'));
    } finally {
      await worker.terminate();
    }
  });
});

describe('the project’s worker entries, bundled', () => {
  // The QR pool falls back to rendering inline when its worker dies, so only a direct check shows
  // that the bundled worker itself works (it once died at start: two copies of qrcode in one bundle).
  it('the QR render worker answers with PNGs, not an error', async () => {
    const worker = startWorkerThread(new URL('../../src/credentials/qr-render-worker.ts', import.meta.url));
    try {
      const uri = 'evote:credential?v=1&e=0190d6f2-7a3e-7c11-9f00-0123456789ab&id=0190d6f2-7a3e-7c11-9f00-0123456789cd&code=' + 'A'.repeat(64);
      worker.postMessage({ id: 1, uris: [uri, uri] });
      const [reply] = (await once(worker, 'message')) as [{ id: number; pngs?: Uint8Array[]; error?: string }];
      expect(reply.error).toBeUndefined();
      expect(reply.pngs).toHaveLength(2);
      expect(decodeQrPng(Buffer.from(reply.pngs![0]!))).toBe(uri);
    } finally {
      await worker.terminate();
    }
  });
});
