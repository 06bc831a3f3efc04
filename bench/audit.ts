/**
 * Audit throughput: ballots verified per second by the independent verifier over an exported log
 * (leaf hashes, checkpoints, lifecycle replay and, per ballot, r^e mod n = c0 plus the authority's
 * RSA-PSS signature: two RSA public operations), next to raw RSA-2048 public operations per second
 * measured in the same run on all cores. Goal (issue 6): 100,000 ballots in under 10 s.
 *
 * The election is generated with the real crypto into a scratch PostgreSQL database, signed by the
 * real projection and checkpointer, exported, then audited from memory (no disk in the timing).
 * Run alone: `npx tsx bench/audit.ts [ballots]`.
 */
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createPgClient, createScratchPgDatabase } from '../src/sql/client.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { createProjectionRunner } from '../src/projections/runner.ts';
import { transparencyLogProjection } from '../src/projections/transparency-log-projection.ts';
import { silentLogger } from '../src/app/log.ts';
import { createCheckpointer } from '../src/audit/checkpointer.ts';
import { electionLogLines } from '../src/audit/export.ts';
import { verifyLog } from '../src/audit/verify.ts';
import { canonicalJson } from '../src/crypto/canonical.ts';
import { generateRsaKeyPair, rsaPublicNumbers } from '../src/crypto/rsa.ts';
import { writeElection } from '../test/audit/election-fixture.ts';
import type { BenchResult } from './harness.ts';

/** Raw RSA-2048 public operations (x^e mod n, OpenSSL) per second on one core, times the cores. */
function rawRsaPublicOps(): BenchResult {
  const { publicKey } = generateRsaKeyPair(2048);
  const x = Buffer.alloc(rsaPublicNumbers(publicKey).modulusBytes, 0);
  randomBytes(200).copy(x, 56);
  let ops = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < 100; i++) publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, x);
    ops += 100;
  }
  const perCore = (ops * 1000) / (performance.now() - t0);
  const cores = availableParallelism();
  return { name: `raw RSA-2048 public ops (${cores} cores)`, rate: perCore * cores, unit: 'ops', note: `${Math.round(perCore)}/s per core` };
}

export async function auditBench(ballots = 2000): Promise<BenchResult[]> {
  const raw = rawRsaPublicOps();
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  try {
    const store = await createSqlEventStore(sql);
    const keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
    const runner = createProjectionRunner({ store, sql, projections: [transparencyLogProjection()], log: silentLogger });
    await runner.start();
    const checkpointer = createCheckpointer({ sql, store, keyStore, log: silentLogger, now: () => new Date(), pollMs: 50 });
    checkpointer.start();
    const fixture = await writeElection(store, keyStore, { voters: ballots, badBallots: false, lateBallot: false });
    for (;;) {
      await runner.waitFor(await store.headPosition(), 120_000);
      const { rows } = await sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [fixture.electionId]);
      if (rows[0] && rows[0].size === rows[0].checkpoint_size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await checkpointer.stop();
    await runner.stop();
    const lines: string[] = [];
    for await (const l of electionLogLines(store, fixture.electionId)) lines.push(canonicalJson(l));
    const t0 = performance.now();
    const report = await verifyLog(lines);
    const seconds = (performance.now() - t0) / 1000;
    if (!report.ok) throw new Error(`the benchmark election did not audit clean: ${JSON.stringify(report.failures[0])}`);
    const rate = report.ballotsCounted / seconds;
    const audit: BenchResult = {
      name: `audit, ${report.ballotsCounted} ballots / ${report.events} events`,
      rate,
      unit: 'ballots',
      note: `${seconds.toFixed(2)} s incl. worker start; 100k ballots ≈ ${(100_000 / rate).toFixed(1)} s`,
      // Two public operations per ballot: the bound is raw / 2.
      against: { name: 'raw RSA public ops / 2', rate: raw.rate / 2, ratio: rate / (raw.rate / 2) },
    };
    return [raw, audit];
  } finally {
    await sql.close();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await auditBench(Number(process.argv[2] ?? 2000));
  for (const r of results) console.log(`${r.name}: ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${r.note ? ` (${r.note})` : ''}${r.against ? ` = ${r.against.ratio.toFixed(2)}× ${r.against.name}` : ''}`);
}
