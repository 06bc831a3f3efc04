/**
 * Credential letters issued by e-mail with the QR PNG attached, through the real issuer
 * (src/commands/credential-issuance.ts: render, SMTP, key store, one append per batch) to an SMTP
 * server in this process that only counts the messages (parsing them would measure the sink).
 * Compared with the raw QR + PNG renders/s of one thread, measured in the same run.
 */

import { startLocalSmtpServer } from '../scripts/local-smtp-server.ts';
import { createCredentialIssuer } from '../src/commands/credential-issuance.ts';
import { formatCredentialUri } from '../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../src/credentials/secret-code.ts';
import { issueTokens } from '../src/credentials/tokens.ts';
import { credentialQrModules, qrModulesPng } from '../src/credentials/qr.ts';
import { against, measure, type BenchResult } from './harness.ts';
import { opsPerSecond, startedElection, type BenchSystem } from './election-setup.ts';

export function rawQrPngRenders(ms = 1_500): BenchResult {
  const uri = formatCredentialUri({ electionId: '0190d6f2-7a3e-7c11-9f00-0123456789ab', voterId: '0190d6f2-7a3e-7c11-9f00-0123456789cd', secretCode: issueSecretCode().secretCode, ...issueTokens() });
  return { name: 'raw QR encode + PNG, one thread', rate: opsPerSecond(ms, () => qrModulesPng(credentialQrModules(uri))), unit: 'renders' };
}

async function countingSmtpServer(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = await startLocalSmtpServer({
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  return { ...server, received: () => received };
}

export async function letterBench(sys: BenchSystem, opts: { letters?: number } = {}): Promise<BenchResult[]> {
  const letters = opts.letters ?? 2_000;
  const raw = rawQrPngRenders();
  const election = await startedElection(sys, letters);
  const smtp = await countingSmtpServer();
  try {
    const issuer = createCredentialIssuer({ store: sys.store, keyStore: sys.keyStore, now: () => new Date(), smtpUrl: smtp.url });
    const { rate } = await measure(async () => {
      const r = await issuer.issue({ electionId: election.electionId, channel: 'email' });
      if (!r.ok) throw new Error(`issuance refused: ${r.error.code}`);
      if (r.value.issued !== letters || smtp.received() < letters) throw new Error(`issued ${r.value.issued}, received ${smtp.received()} of ${letters}`);
      return letters;
    });
    return [raw, against({ name: 'credential letters by e-mail with QR PNG (issuer → SMTP)', rate, unit: 'letters' }, raw)];
  } finally {
    await smtp.close();
  }
}
