/**
 * Issue 17's end-to-end figure: one run builds two ended elections with the same N ballots (real
 * encryption and authority signatures, appended directly), one with a server-held counter key and
 * one 2-of-3 trustee election (the ceremony's code, created with the transcript over the gateway),
 * then times today's single-key tally, two trustees' `decryptAsTrustee` against the real gateway and
 * the trustee tally, checks both publish the same result, and audits both logs.
 * `npm run bench -- trustee-e2e` (TRUSTEE_E2E_BALLOTS, default 100,000); alone:
 * `npx tsx bench/trustee-e2e.ts [ballots]`.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { EvoteAdmin, type TallyResult } from '../src/client/admin.ts';
import { EvoteConnection } from '../src/client/connection.ts';
import { runCeremony, type ShareFile } from '../src/client/trustee-ceremony.ts';
import { decryptAsTrustee } from '../src/client/trustee-decrypt.ts';
import type { TrusteeTranscript } from '../src/domain/trustees.ts';
import { privateKeyFromPkcs8 } from '../src/commands/election-keys.ts';
import { rsaPublicKeyOf } from '../src/crypto/rsa.ts';
import { canonicalJson } from '../src/crypto/canonical.ts';
import { keyNames } from '../src/keystore/port.ts';
import { electionLogLines } from '../src/audit/export.ts';
import { verifyLog } from '../src/audit/verify.ts';
import type { AuditReport } from '../src/audit/report.ts';
import { createTallyPool, type RawProbe } from '../src/tally/pool.ts';
import type { System } from '../src/app/bootstrap.ts';
import { startTestCluster, voterCsv } from '../test/support/system.ts';
import { electionStreamId } from '../src/domain/streams.ts';
import type { VoterRegistered } from '../src/domain/election-events.ts';
import { against, renderTable, type BenchResult } from './harness.ts';
import { appendCastBallots } from './tally.ts';

export const E2E_CHOICES = ['Yes', 'No', 'Blank'];
const NAMES = ['Ada', 'Babbage', 'Curie'];
const WARM_UP_BALLOTS = 20;

const load = () => `load ${loadavg()[0]?.toFixed(1)}`;
const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const s = (x: number) => `${x.toFixed(1)} s`;
const secondsOf = (rounds: { seconds: number }[]) => rounds.map((r) => r.seconds.toFixed(2)).join(', ') + ' s';

/** Untimed: projections and the checkpointer caught up with everything appended so far. */
async function settled(sys: System, electionId: string): Promise<void> {
  await sys.runner.waitFor(await sys.store.headPosition(), 600_000);
  for (;;) {
    const { rows } = await sys.sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [electionId]);
    if (rows[0] && rows[0].size === rows[0].checkpoint_size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * An ended election with `count` ballots: created as the CLI creates it (over the gateway, with the
 * ceremony's transcript for a trustee election), `count` voters imported, voting started, the
 * ballots and their voters' blind signatures appended directly (bench/tally.ts), voting ended.
 */
export async function buildEndedElection(sys: System, admin: EvoteAdmin, count: number, trustees?: TrusteeTranscript): Promise<string> {
  const { electionId } = await admin.createElection({ theme: trustees ? 'Trustee bench (2-of-3)' : 'Trustee bench (single key)', choices: E2E_CHOICES, expectedVoters: Math.max(count, 1), ...(trustees && { trustees }) });
  await admin.importVoters({ electionId, csv: voterCsv(count, `${electionId.slice(0, 8)}.bench.example`), batchSize: 1_000 });
  await admin.startVoting(electionId);
  const voterIds = (await sys.store.readStream(electionStreamId(electionId))).filter((e) => e.type === 'VoterRegistered').map((e) => (e.data as VoterRegistered['data']).voterId);
  const authority = privateKeyFromPkcs8((await sys.keyStore.get(keyNames.authority(electionId))) as Uint8Array);
  const ballotKey: KeyObject = trustees
    ? createPublicKey({ key: Buffer.from(trustees.ballotPublicKey, 'base64url'), format: 'der', type: 'spki' })
    : rsaPublicKeyOf(privateKeyFromPkcs8((await sys.keyStore.get(keyNames.counter(electionId))) as Uint8Array));
  await appendCastBallots(sys.store, { electionId, authority, ballotKey, count, choices: E2E_CHOICES, voterIds });
  await admin.endVoting(electionId);
  await settled(sys, electionId);
  return electionId;
}

export interface TrusteePhases {
  /** The trustee's log audit, transcript checks and paging of the c0 values. */
  checkSeconds: number;
  /** Worker threads' start and every partial decryption. */
  decryptSeconds: number;
  /** The signed batches sent with tally.submitPartials. */
  submitSeconds: number;
  totalSeconds: number;
  /** Process CPU seconds during the decryption phase (workers included). */
  decryptCpuSeconds: number;
  ballots: number;
  stored: number;
}

/** One trustee as `evote trustee decrypt` runs: its own connection, the library call, its phases timed from its progress. */
export async function runTrustee(url: string, electionId: string, shareFile: ShareFile, passphrase: string, threads: number): Promise<TrusteePhases> {
  const conn = await EvoteConnection.connect(url);
  try {
    const t0 = performance.now();
    let decryptStart: { at: number; cpu: number } | undefined;
    let decryptEnd: { at: number; cpu: number } | undefined;
    const r = await decryptAsTrustee({
      conn,
      electionId,
      shareFile,
      passphrase,
      threads,
      onProgress: (p) => {
        if (p.phase !== 'decrypt') return;
        if (!decryptStart && p.done === 0) decryptStart = { at: performance.now(), cpu: cpuSeconds() };
        if (p.done === p.total) decryptEnd = { at: performance.now(), cpu: cpuSeconds() };
      },
    });
    const end = performance.now();
    if (!decryptStart || !decryptEnd) throw new Error('the trustee reported no decryption progress');
    const checkSeconds = (decryptStart.at - t0) / 1000;
    const decryptSeconds = (decryptEnd.at - decryptStart.at) / 1000;
    return { checkSeconds, decryptSeconds, submitSeconds: (end - decryptEnd.at) / 1000, totalSeconds: (end - t0) / 1000, decryptCpuSeconds: decryptEnd.cpu - decryptStart.cpu, ballots: r.ballots, stored: r.stored };
  } finally {
    await conn.close();
  }
}

async function timedTally(admin: EvoteAdmin, electionId: string): Promise<{ result: TallyResult; seconds: number }> {
  const t0 = performance.now();
  const result = await admin.runTally({ electionId });
  return { result, seconds: (performance.now() - t0) / 1000 };
}

async function exportLines(sys: System, electionId: string): Promise<string[]> {
  await settled(sys, electionId);
  const lines: string[] = [];
  for await (const l of electionLogLines(sys.store, electionId)) lines.push(canonicalJson(l));
  return lines;
}

async function timedAudit(lines: string[]): Promise<{ report: AuditReport; seconds: number; cpu: number }> {
  const [t0, c0] = [performance.now(), cpuSeconds()];
  const report = await verifyLog(lines);
  return { report, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

export interface TrusteeE2eRun {
  rows: BenchResult[];
  single: TallyResult;
  trustee: TallyResult;
  audits: { single: AuditReport; trustee: AuditReport };
  phases: { trustees: [TrusteePhases, TrusteePhases]; singleTallySeconds: number; trusteeTallySeconds: number; ceremonySeconds: number };
}

const sameResult = (a: TallyResult, b: TallyResult) => canonicalJson({ c: a.counts, s: a.statuses, b: a.ballots }) === canonicalJson({ c: b.counts, s: b.statuses, b: b.ballots });

/**
 * The whole comparison on a system of its own (scratch database, gateway on an ephemeral port).
 * `threads`: each trustee's worker threads and the raw probe's (default one per core); `probeMs`: each raw probe;
 * `auditPairs`: rounds of (single, trustee, trustee, single) audits (default 3 below 20,000 ballots, else 1).
 */
export async function trusteeE2eBench(count: number, opts: { threads?: number; probeMs?: number; auditPairs?: number; log?: (line: string) => void } = {}): Promise<TrusteeE2eRun> {
  const threads = opts.threads ?? availableParallelism();
  const probeMs = opts.probeMs ?? 1_000;
  const log = opts.log ?? ((line: string) => console.error(`  trustee-e2e: ${line}`));
  const cluster = await startTestCluster({ config: { maxConnectionsPerSource: 1_000_000, newConnectionsPerSecondPerSource: 1_000_000 } });
  const sys = cluster.systems[0]!;
  const url = sys.gateway!.url;
  const admin = await EvoteAdmin.connect(url, cluster.adminToken);
  try {
    const passphrases = NAMES.map((n) => `${n.toLowerCase()} ${randomBytes(12).toString('base64url')}`);
    const c0 = performance.now();
    const { transcript, shareFiles } = await runCeremony({ trustees: NAMES.map((name, i) => ({ name, passphrase: passphrases[i]! })), threshold: 2 });
    const ceremonySeconds = (performance.now() - c0) / 1000;
    const b0 = performance.now();
    const singleId = await buildEndedElection(sys, admin, count);
    const trusteeId = await buildEndedElection(sys, admin, count, transcript);
    log(`ceremony (2-of-3, RSA-2048) ${s(ceremonySeconds)}; two elections of ${count} ballots built in ${s((performance.now() - b0) / 1000)} (not measured)`);

    // The raw limit in `threads` worker threads at once (the tally pool's probe), before, between and after the trustees.
    const probePool = await createTallyPool({
      electionId: singleId,
      size: threads,
      measureCpu: true,
      counterPrivateKeyPkcs8: (await sys.keyStore.get(keyNames.counter(singleId))) as Uint8Array,
      authorityPublicKeySpki: new Uint8Array(rsaPublicKeyOf(privateKeyFromPkcs8((await sys.keyStore.get(keyNames.authority(singleId))) as Uint8Array)).export({ format: 'der', type: 'spki' })),
    });
    const probes: RawProbe[][] = [];
    const probe = async () => void probes.push(await probePool.probeRaw(probeMs));

    const trustees: TrusteePhases[] = [];
    try {
      await probe();
      for (const i of [0, 1]) {
        trustees.push(await runTrustee(url, trusteeId, shareFiles[i]!, passphrases[i]!, threads));
        await probe();
      }
    } finally {
      await probePool.close();
    }
    // Both tallies back to back, after an untimed one (workers' first start and JIT), in one load window.
    const warmUpId = await buildEndedElection(sys, admin, WARM_UP_BALLOTS);
    await timedTally(admin, warmUpId);
    const single = await timedTally(admin, singleId);
    log(`single-key tally ${s(single.seconds)}: ${canonicalJson(single.result.counts)}`);
    const trustee = await timedTally(admin, trusteeId);
    log(`trustee tally ${s(trustee.seconds)}: ${canonicalJson(trustee.result.counts)}`);
    if (!sameResult(single.result, trustee.result)) throw new Error(`the two tallies differ: ${canonicalJson(single.result)} against ${canonicalJson(trustee.result)}`);
    for (const t of trustees) if (t.ballots !== count) throw new Error(`a trustee was served ${t.ballots} ballots, not ${count}`);

    // The audit, alternated (single, trustee, trustee, single; repeated on a small N) so that both share the load's drift.
    const lines = { single: await exportLines(sys, singleId), trustee: await exportLines(sys, trusteeId) };
    // The first audit of a process starts (and bundles) its workers: an untimed one first.
    await timedAudit(await exportLines(sys, warmUpId));
    const audited = { single: [] as Awaited<ReturnType<typeof timedAudit>>[], trustee: [] as Awaited<ReturnType<typeof timedAudit>>[] };
    const pairs = opts.auditPairs ?? (count < 20_000 ? 3 : 1);
    for (let p = 0; p < pairs; p++) for (const which of ['single', 'trustee', 'trustee', 'single'] as const) audited[which].push(await timedAudit(lines[which]));
    for (const a of [...audited.single, ...audited.trustee]) {
      if (!a.report.ok || a.report.ballotsCounted !== count) throw new Error(`an election did not audit clean: ${a.report.verdict} ${JSON.stringify(a.report.failures[0] ?? a.report.gaps[0])}`);
    }

    const [t1, t2] = trustees as [TrusteePhases, TrusteePhases];
    const allRaw = probes.flat();
    const rawWallPerCore = allRaw.reduce((sum, p) => sum + p.ops / p.seconds, 0) / allRaw.length;
    const rawCpu = allRaw.reduce((sum, p) => sum + p.ops, 0) / allRaw.reduce((sum, p) => sum + (p.cpuSeconds ?? Number.NaN), 0);
    const rawRow: BenchResult = { name: `raw RSA-2048 private op per core, ${threads} threads at once (wall)`, rate: rawWallPerCore, unit: 'ops', note: `${probes.length} probes around the trustees, ${load()}` };
    const rawCpuRow: BenchResult = { name: 'raw RSA-2048 private op per thread CPU-second (same probes)', rate: rawCpu, unit: 'ops/CPU' };
    const singleRow: BenchResult = { name: `single-key tally, ${count} ballots, command to TallyPublished`, rate: count / single.seconds, unit: 'ballots', note: `${s(single.seconds)}, one worker per core, right before the trustee tally` };
    const sequential = t1.totalSeconds + t2.totalSeconds + trustee.seconds;
    const parallel = Math.max(t1.totalSeconds, t2.totalSeconds) + trustee.seconds;
    const longer = (x: number) => `${(x / single.seconds).toFixed(1)}× the single-key tally's time`;
    const trusteeRows = trustees.map((t, i) =>
      against(
        { name: `trustee ${i + 1} (${NAMES[i]}) partial decryptions per core (wall, ${threads} threads)`, rate: count / t.decryptSeconds / threads, unit: 'partials', note: `decryptAsTrustee: check (log audit, fetch) ${s(t.checkSeconds)}, decrypt ${s(t.decryptSeconds)}, submit ${s(t.submitSeconds)}, total ${s(t.totalSeconds)}` },
        rawRow,
      ),
    );
    const decryptWall: BenchResult = { name: 'both trustees\' partial decryptions (wall, whole pool)', rate: (2 * count) / (t1.decryptSeconds + t2.decryptSeconds), unit: 'partials' };
    const decryptCpu = t1.decryptCpuSeconds + t2.decryptCpuSeconds;
    const auditRate = (as: { seconds: number }[]) => (count * as.length) / as.reduce((sum, a) => sum + a.seconds, 0);
    const auditCpuRate = (as: { cpu: number }[]) => (count * as.length) / as.reduce((sum, a) => sum + a.cpu, 0);
    const auditSingle: BenchResult = { name: `audit of the single-key election (${count} ballots, ${audited.single[0]!.report.events} events)`, rate: auditRate(audited.single), unit: 'ballots', note: `${audited.single.length} rounds: ${secondsOf(audited.single)}` };
    const auditSingleCpu: BenchResult = { name: 'audit of the single-key election, process CPU', rate: auditCpuRate(audited.single), unit: 'ballots/CPU' };
    const rows: BenchResult[] = [
      rawRow,
      rawCpuRow,
      ...trusteeRows,
      against({ name: 'trustee partial decryptions per process CPU-second (both trustees)', rate: (2 * count) / decryptCpu, unit: 'partials/CPU', note: `${decryptCpu.toFixed(1)} CPU-s for ${2 * count} partials` }, rawCpuRow),
      against({ name: 'trustee submissions (signed tally.submitPartials batches over the gateway, both trustees)', rate: (2 * count) / (t1.submitSeconds + t2.submitSeconds), unit: 'partials', note: `${s(t1.submitSeconds)} + ${s(t2.submitSeconds)}` }, decryptWall),
      singleRow,
      against({ name: `trustee tally (2 of 3 partials combined), command to TallyPublished`, rate: count / trustee.seconds, unit: 'ballots', note: s(trustee.seconds) }, singleRow),
      against({ name: 'trustee election end to end on this machine (trustee 1, trustee 2, tally in turn)', rate: count / sequential, unit: 'ballots', note: `${s(sequential)}: ${longer(sequential)}` }, singleRow),
      against({ name: 'trustee election end to end, trustees in parallel on their own machines (max of the two + tally)', rate: count / parallel, unit: 'ballots', note: `${s(parallel)}: ${longer(parallel)}` }, singleRow),
      auditSingle,
      against({ name: `audit of the trustee election (${count} ballots, ${audited.trustee[0]!.report.events} events)`, rate: auditRate(audited.trustee), unit: 'ballots', note: `${audited.trustee.length} rounds, alternated with the single-key ones: ${secondsOf(audited.trustee)}` }, auditSingle),
      auditSingleCpu,
      against({ name: 'audit of the trustee election, process CPU', rate: auditCpuRate(audited.trustee), unit: 'ballots/CPU' }, auditSingleCpu),
    ];
    log(`both tallies published ${canonicalJson({ counts: trustee.result.counts, statuses: trustee.result.statuses })}`);
    return {
      rows,
      single: single.result,
      trustee: trustee.result,
      audits: { single: audited.single[0]!.report, trustee: audited.trustee[0]!.report },
      phases: { trustees: [t1, t2], singleTallySeconds: single.seconds, trusteeTallySeconds: trustee.seconds, ceremonySeconds },
    };
  } finally {
    await admin.close();
    await cluster.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const run = await trusteeE2eBench(Number(process.argv[2] ?? process.env.TRUSTEE_E2E_BALLOTS ?? 100_000));
  console.log(renderTable(run.rows));
}
