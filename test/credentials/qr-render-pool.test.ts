/**
 * The render pool (worker threads) returns, for each URI, exactly the PNG qr.ts renders inline,
 * in the caller's order, however the requests are grouped into messages.
 */
import { describe, expect, it } from 'vitest';
import { createQrRenderPool, inlineQrRenderer } from '../../src/credentials/qr-render-pool.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import { formatCredentialUri } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';

const uri = () => formatCredentialUri({ electionId: 'pool-test', voterId: crypto.randomUUID(), secretCode: issueSecretCode().secretCode, ...issueTokens() });

describe('QR render pool', () => {
  it('renders 100 URIs on workers, byte for byte as inline, each to its own caller', async () => {
    const uris = Array.from({ length: 100 }, uri);
    const pool = createQrRenderPool(2);
    try {
      const pngs = await Promise.all(uris.map((u) => pool.render(u)));
      for (const [i, u] of uris.entries()) expect(Buffer.compare(pngs[i]!, await inlineQrRenderer.render(u)), u).toBe(0);
      expect(decodeQrPng(pngs[0]!)).toBe(uris[0]);
    } finally {
      await pool.close();
    }
  });
});
