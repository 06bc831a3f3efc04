/**
 * Credential letters issued by e-mail with the QR PNG attached, through the real issuer
 * (src/commands/credential-issuance.ts: render, SMTP, key store, one append per batch) to an SMTP
 * server in another process that only counts the messages (a deployment's mail server is not
 * inside evote; parsing the messages would measure the sink).
 * Compared with the raw QR + PNG renders/s of one thread, measured in the same run. On shared cores
 * wall-clock rates are noisy, so each figure also carries the CPU time per unit of work (the whole
 * process: main thread, render workers, the PostgreSQL client; not the SMTP sink, not the
 * PostgreSQL server), the main thread's event-loop utilisation, and the load average.
 */
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import QRCode from 'qrcode';

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCredentialIssuer } from '../src/commands/credential-issuance.ts';
import { formatCredentialUri } from '../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../src/credentials/secret-code.ts';
import { issueTokens } from '../src/credentials/tokens.ts';
import { credentialQrModules, qrModulesPng } from '../src/credentials/qr.ts';
import { against, measure, type BenchResult } from './harness.ts';
import { opsPerSecond, startedElection, type BenchSystem } from './election-setup.ts';
import { serverCpuSince, serverCpuSnapshot } from './server-cpu.ts';

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const load = () => `load ${os.loadavg()[0]!.toFixed(2)}`;

/** `fn` repeated for `ms`: its rate, and a note with the CPU time per call. */
function rawRate(name: string, unit: string, ms: number, fn: () => void): BenchResult {
  const cpu0 = process.cpuUsage();
  let calls = 0;
  const rate = opsPerSecond(ms, () => {
    fn();
    calls++;
  });
  return { name, rate, unit, note: `${(cpuMs(cpu0) / calls).toFixed(3)} ms CPU each, ${load()}` };
}

const sampleUri = () =>
  formatCredentialUri({ electionId: '0190d6f2-7a3e-7c11-9f00-0123456789ab', voterId: crypto.randomUUID(), secretCode: issueSecretCode().secretCode, ...issueTokens() });

export function rawQrPngRenders(ms = 1_500): BenchResult {
  const uri = sampleUri();
  return rawRate('raw QR encode + PNG, one thread', 'renders', ms, () => qrModulesPng(credentialQrModules(uri)));
}

/** qrcode's own encoding (segment search and mask choice included) of the same URI: what qr.ts computes faster. */
export function rawQrcodeCreates(ms = 1_500): BenchResult {
  const uri = sampleUri();
  return rawRate("raw qrcode QRCode.create (qrcode's own mask search), one thread", 'encodes', ms, () => QRCode.create(uri, { errorCorrectionLevel: 'M' }));
}

/** The counting SMTP server, in another process (smtp-sink-process.ts). */
interface SinkCount {
  received: number;
  /** The sink process's CPU time so far, ms. */
  cpuMs: number;
  /** Message bytes received so far. */
  bytes: number;
}

async function countingSmtpServer(): Promise<{ url: string; count: () => Promise<SinkCount>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const reply = <T>() => new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code})`)));
  });
  const { url } = await reply<{ url: string }>();
  return {
    url,
    count: async () => {
      const answer = reply<SinkCount>();
      child.send('count');
      return answer;
    },
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('close');
      await exited;
    },
  };
}

/**
 * 10,000 letters by default: issuance is one command for a whole electorate, and in a run of 2,000
 * the render worker's start and the JIT warming up (in the issuer and in the SMTP server) were a
 * quarter of the time (831 letters/s at 2,000 against 1,111 at 5,000 and 1,154 at 10,000, same code).
 */
export async function letterBench(sys: BenchSystem, opts: { letters?: number } = {}): Promise<BenchResult[]> {
  const letters = opts.letters ?? Number(process.env.EVOTE_BENCH_LETTERS ?? 10_000);
  const reference = rawQrcodeCreates();
  const raw = rawQrPngRenders();
  const election = await startedElection(sys, letters);
  const smtp = await countingSmtpServer();
  try {
    const issuer = createCredentialIssuer({ store: sys.store, keyStore: sys.keyStore, now: () => new Date(), smtpUrl: smtp.url });
    const sink0 = await smtp.count();
    const pg0 = serverCpuSnapshot('postgres');
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const { rate } = await measure(async () => {
      const r = await issuer.issue({ electionId: election.electionId, channel: 'email' });
      if (!r.ok) throw new Error(`issuance refused: ${r.error.code}`);
      const { received } = await smtp.count();
      if (r.value.issued !== letters || received < letters) throw new Error(`issued ${r.value.issued}, received ${received} of ${letters}`);
      return letters;
    });
    const sink1 = await smtp.count();
    const cpuPerLetter = cpuMs(cpu0) / letters;
    const pgMs = serverCpuSince('postgres', pg0);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const sinkNote = `SMTP sink ${((sink1.cpuMs - sink0.cpuMs) / letters).toFixed(2)} ms CPU per letter of ${Math.round((sink1.bytes - sink0.bytes) / letters)} bytes`;
    const pgNote = pgMs === undefined ? '' : `; PostgreSQL server ${(pgMs / letters).toFixed(2)} ms CPU per letter`;
    const note = `${cpuPerLetter.toFixed(2)} ms CPU per letter in this process, main thread ${(100 * elu).toFixed(0)}% busy; ${sinkNote}${pgNote}; ${load()}`;
    return [reference, raw, against({ name: `credential letters by e-mail with QR PNG (issuer → SMTP), ${letters.toLocaleString('en-US')} letters`, rate, unit: 'letters', note }, raw)];
  } finally {
    await smtp.close();
  }
}
