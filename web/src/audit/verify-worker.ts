/** The Web Worker that verifies a log (verify-run.ts), so the page stays responsive during the checks. */
import { verifyStream } from './verify-run.ts';
import type { VerifyRequest, VerifyWorkerMessage } from './verify-protocol.ts';

const post = (m: VerifyWorkerMessage) => (self as unknown as { postMessage(m: VerifyWorkerMessage): void }).postMessage(m);

async function open(req: VerifyRequest): Promise<{ stream: ReadableStream<Uint8Array>; totalBytes: number | null } | VerifyWorkerMessage> {
  if (req.source === 'file') return { stream: req.file.stream(), totalBytes: req.file.size };
  let res: Response;
  try {
    res = await fetch(req.url, { cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    return { type: 'error', code: 'LOG_UNAVAILABLE', detail: (err as Error).message };
  }
  if (res.status === 404) return { type: 'error', code: 'LOG_NOT_FOUND', detail: 'HTTP 404' };
  if (!res.ok || !res.body) return { type: 'error', code: 'LOG_UNAVAILABLE', detail: `HTTP ${res.status}` };
  const length = Number(res.headers.get('Content-Length'));
  return { stream: res.body, totalBytes: Number.isFinite(length) && length > 0 ? length : null };
}

/**
 * Helpers as asked, else one per core from 4 cores (as the CLI has a worker thread per core); on
 * fewer, this thread does everything: on 2 busy cores, helpers measured no faster (docs/web.md).
 */
function helpersFor(req: VerifyRequest): number {
  if (req.helpers !== undefined && Number.isSafeInteger(req.helpers) && req.helpers >= 0) return Math.min(8, req.helpers);
  const cores = navigator.hardwareConcurrency || 1;
  return cores >= 4 ? Math.min(8, cores) : 0;
}

self.addEventListener('message', (e: MessageEvent<VerifyRequest>) => {
  void (async () => {
    const source = await open(e.data);
    if ('type' in source) return post(source);
    try {
      const report = await verifyStream(source.stream, { totalBytes: source.totalBytes, helpers: helpersFor(e.data), onProgress: (progress) => post({ type: 'progress', progress }) });
      post({ type: 'done', report });
    } catch (err) {
      post({ type: 'error', code: 'VERIFIER_FAILED', detail: (err as Error).message });
    }
  })();
});
