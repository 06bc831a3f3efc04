/** Worker side of qr-render-pool.ts. The URIs hold secrets: in memory only, never logged. */
import { parentPort } from 'node:worker_threads';
import { credentialQrModules, qrModulesPng } from './qr.ts';

export interface RenderRequest {
  id: number;
  uris: string[];
}
export interface RenderReply {
  id: number;
  pngs?: Uint8Array[];
  error?: string;
}

parentPort?.on('message', (req: RenderRequest) => {
  try {
    const pngs = req.uris.map((uri) => new Uint8Array(qrModulesPng(credentialQrModules(uri))));
    parentPort?.postMessage({ id: req.id, pngs } satisfies RenderReply, pngs.map((p) => p.buffer as ArrayBuffer));
  } catch (err) {
    parentPort?.postMessage({ id: req.id, error: (err as Error).name } satisfies RenderReply);
  }
});
