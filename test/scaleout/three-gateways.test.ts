/**
 * Many gateways, one election (issue 16): three real gateway processes on one PostgreSQL database and
 * one Redis, behind Debian's HAProxy. 1,000 voters log in, are signed and cast through the balancer;
 * one gateway is killed with SIGKILL mid-election and the reference client carries on through the
 * others; a voter logs in through one gateway and is signed through another; one N1 cast through all
 * three at once is accepted once; transitions reach subscribers of every gateway; the tally, the
 * read models and the audited log agree with the acknowledged ballots.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError, type Push } from '../../src/client/connection.ts';
import { EvoteAdmin } from '../../src/client/admin.ts';
import { vote, type Receipt } from '../../src/client/voter.ts';
import { audit, exportLogToFile, type AuditReport } from '../../src/client/auditor.ts';
import { loginVoter } from '../../src/client/client-login.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { encryptBallot } from '../../src/crypto/ballot-encryption.ts';
import { encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { toBase64url } from '../../src/crypto/bytes.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { verifyCastReceipt } from '../../src/crypto/cast-receipt.ts';
import { importPublicKey } from '../../src/client/voter-ballot.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { REDIS_URL, until, voterCsv } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type ReceivedLetter, type SmtpSink } from '../support/letters.ts';
import { spawnGateway, startHaproxy, stopProcess, type Balancer, type GatewayProcess } from '../support/process-cluster.ts';
import { inBatches } from '../support/in-batches.ts';

const VOTERS = Number(process.env.SCALEOUT_VOTERS ?? 1_000);
const CHOICES = ['Yes', 'No', 'Abstain'];
/** Acknowledged casts through the balancer before one gateway is killed. */
const KILL_AFTER = Math.floor(VOTERS / 3);

let db: Awaited<ReturnType<typeof createScratchPgDatabase>>;
let sql: SqlClient;
let sink: SmtpSink;
let gateways: GatewayProcess[] = [];
let lb: Balancer | undefined;
const adminToken = randomBytes(24).toString('base64url');

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url, { max: 2 });
  sink = await startSmtpSink({ decodeQrFirst: 0 });
  const prefix = `evote-test-${randomBytes(6).toString('hex')}:`;
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    EVOTE_ADMIN_TOKEN: adminToken,
    EVOTE_MASTER_KEY: randomBytes(32).toString('base64'),
    EVOTE_REDIS_PREFIX: prefix,
    EVOTE_AUTH_REDIS_PREFIX: `${prefix}auth:`,
    // HAProxy appends the client's address to X-Forwarded-For (infra/haproxy.cfg); one trusted hop.
    EVOTE_AUTH_TRUSTED_PROXIES: '1',
    SMTP_URL: sink.url,
  };
  const started = await Promise.allSettled([0, 1, 2].map(() => spawnGateway(env)));
  gateways = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  lb = await startHaproxy(gateways.map((g) => g.port));
}, 180_000);

afterAll(async () => {
  await lb?.close();
  await Promise.all(gateways.map((g) => stopProcess(g.child)));
  await sql?.close();
  await db?.drop();
  await sink?.close();
});

/** `evote_commands_total{name, outcome="ok"}` of one gateway. */
async function commandsOk(g: GatewayProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
  const m = new RegExp(`^evote_commands_total\\{[^}]*name="${name.replace('.', '\\.')}"[^}]*outcome="ok"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const count = async (query: string, params: unknown[]): Promise<number> => Number((await sql.query<{ n: string }>(query, params)).rows[0]!.n);

/** Voter 0, by hand: login through gateway 1, blind signature through gateway 2 with that token, then one N1 cast through all three at once. */
async function crossGatewayVoter(letter: ReceivedLetter, client: { clientId: string; clientKey: string }, election: ElectionRow) {
  const [g1, g2, g3] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];
  const cred = letter.credential;
  const a1 = await EvoteConnection.connect(g1.url);
  const tokens = await loginVoter(a1, cred, client);
  await a1.close();
  const salt = newN2Salt();
  const ballot = prepareBallot({ electionId: cred.electionId, choice: 'No', n2Commitment: n2Commitment(cred.n2, salt), authorityPublicKey: election.authorityPublicKey! });
  const a2 = await EvoteConnection.connect(g2.url);
  const { blindSignature } = await a2.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId: cred.electionId, blindedMessage: ballot.blindedMessage }, { token: tokens.accessToken });
  await a2.close();
  const keys = { authorityPublicKey: election.authorityPublicKey!, ballotPublicKey: election.ballotPublicKey! };
  const finished = finishBallot({ ...ballot, blindSignature, ...keys, electionId: cred.electionId });
  // Three encryptions of the one signed ballot: three different ciphertexts for the one N1.
  const plaintext = encodeBallotPlaintext({ preparedMessage: ballot.prepared, signature: finished.signature });
  const ciphertexts = [finished.ciphertext, ...[1, 2].map(() => toBase64url(encryptBallot(importPublicKey(keys.ballotPublicKey), cred.electionId, plaintext)))];
  const conns = await Promise.all([g1, g2, g3].map((g) => EvoteConnection.connect(g.url)));
  const outcomes = await Promise.all(
    conns.map((c, i) =>
      c.request<{ ballotHash: string; signature: string }>('command', 'ballot.cast', { electionId: cred.electionId, n1: cred.n1, ciphertext: ciphertexts[i] }).then(
        (r) => ({ ok: true as const, i, r }),
        (e: unknown) => ({ ok: false as const, i, e: e as EvoteError }),
      ),
    ),
  );
  // The winner's ciphertext again: the same ballot is recorded, so ALREADY_CAST says sameBallot with the receipt.
  const won = outcomes.find((o) => o.ok);
  const again = won ? await conns[(won.i + 1) % 3]!.request('command', 'ballot.cast', { electionId: cred.electionId, n1: cred.n1, ciphertext: ciphertexts[won.i] }).catch((e: unknown) => e as EvoteError) : undefined;
  await Promise.all(conns.map((c) => c.close()));
  return { outcomes, again, won, choice: 'No' };
}

describe('three gateways behind HAProxy', () => {
  it(`${VOTERS} voters through the balancer, one gateway killed mid-election, every acknowledged ballot audited`, { timeout: 420_000 }, async () => {
    const [g1, g2, g3] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];
    const t0 = Date.now();
    const mark = (what: string) => console.log(`scale-out: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const admin = await EvoteAdmin.connect(lb!.url, adminToken);
    // One more voter expected than vote: the election stays open until the admin ends it.
    const { electionId } = await admin.createElection({ theme: 'Scale-out', choices: CHOICES, expectedVoters: VOTERS + 1 });
    await admin.importVoters({ electionId, csv: voterCsv(VOTERS, 'scale.example.org') });
    const client = await admin.registerClient('scale-out test app');

    // A subscriber on every gateway, connected directly: each must hear the transitions.
    const heard: string[][] = [[], [], []];
    const watchers = await Promise.all(gateways.map((g) => EvoteConnection.connect(g.url)));
    await Promise.all(watchers.map((w, i) => w.subscribe('election', { electionId }, (p: Push) => heard[i]!.push((p.payload as { transition: string }).transition))));
    await admin.startVoting(electionId);
    await until(() => heard.every((h) => h.includes('started')), 10_000, 'VotingStarted on every gateway');

    const { letters, summary } = await issueLettersByEmail(admin.conn, adminToken, electionId, sink);
    expect(summary.issued).toBe(VOTERS);
    expect(letters).toHaveLength(VOTERS);
    const election = await admin.getElection(electionId);
    mark('letters issued');

    const cross = await crossGatewayVoter(letters[0]!, client, election);
    mark("cross-gateway voter done");
    expect(cross.outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(cross.outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.e.code)).toEqual(['ALREADY_CAST', 'ALREADY_CAST']);
    expect(cross.outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.e.details?.sameBallot)).toEqual([false, false]);
    const crossReceipt = cross.won?.ok ? cross.won.r : undefined;
    expect(cross.again).toBeInstanceOf(EvoteError);
    expect((cross.again as EvoteError).details).toEqual({ sameBallot: true, ballotHash: crossReceipt!.ballotHash, signature: crossReceipt!.signature });
    expect(verifyCastReceipt(election.logPublicKey!, electionId, crossReceipt!.ballotHash, crossReceipt!.signature)).toBe(true);

    // Everyone else through the balancer, 30 at a time; gateway 2 is killed once KILL_AFTER casts are acknowledged.
    const voters = letters.slice(1);
    const choices = voters.map((_, i) => CHOICES[(i * 7 + (i >> 2)) % CHOICES.length]!);
    const acknowledged: (Receipt | undefined)[] = new Array(voters.length);
    const retried = { sign: new Set<number>(), cast: new Set<number>(), codes: new Map<string, number>() };
    let ackCount = 0;
    const failures: string[] = [];
    let before: { gateway: number; logins: number; signs: number; casts: number }[] = [];
    const killer = (async () => {
      await until(() => ackCount >= KILL_AFTER, 120_000, `${KILL_AFTER} acknowledged casts`);
      before = await Promise.all(
        gateways.map(async (g, gateway) => ({ gateway, logins: await commandsOk(g, 'auth.level3.prove'), signs: await commandsOk(g, 'ballot.blindSign'), casts: await commandsOk(g, 'ballot.cast') })),
      );
      await stopProcess(g2.child, 'SIGKILL');
    })();
    await inBatches(voters, 30, async (letter, i) => {
      try {
        acknowledged[i] = await vote({
          url: lb!.url,
          credential: letter.credential,
          client,
          choice: choices[i]!,
          connect: { timeoutMs: 20_000 },
          onRetry: ({ stage, code }) => {
            retried[stage].add(i);
            retried.codes.set(code, (retried.codes.get(code) ?? 0) + 1);
          },
        });
        ackCount++;
      } catch (err) {
        failures.push(`${i}: ${(err as EvoteError).code ?? ''} ${(err as Error).message}`);
      }
    });
    await killer;
    mark('voting done');

    // The work was spread over all three before the kill, and the clients carried on after it.
    for (const b of before) expect(b.logins > 0 && b.signs > 0 && b.casts > 0, `gateway ${b.gateway + 1}: ${JSON.stringify(b)}`).toBe(true);
    expect(failures).toEqual([]);
    expect(retried.sign.size + retried.cast.size).toBeGreaterThan(0);
    console.log(
      `scale-out: per gateway before the kill ${JSON.stringify(before)}; voters retried: sign ${retried.sign.size}, cast ${retried.cast.size}; codes ${JSON.stringify([...retried.codes])}`,
    );
    for (const g of [g1, g3]) expect(await commandsOk(g, 'ballot.cast')).toBeGreaterThan(before[gateways.indexOf(g)]!.casts);

    // The end through the balancer (gateway 2 is gone): the survivors' subscribers hear it.
    await admin.endVoting(electionId);
    await until(() => heard[0]!.includes('ended') && heard[2]!.includes('ended'), 10_000, 'VotingEnded on the surviving gateways');
    expect(heard[1]).not.toContain('ended');
    const tally = await admin.runTally({ electionId });
    const receipts = acknowledged.filter((r): r is Receipt => r !== undefined);
    const expected = Object.fromEntries(CHOICES.map((c) => [c, choices.filter((x) => x === c).length + (c === cross.choice ? 1 : 0)]));
    expect(receipts).toHaveLength(VOTERS - 1);
    expect(tally.counts).toEqual(expected);
    expect(tally.statuses.VALID).toBe(VOTERS);

    // The auditor, from the log exported through the balancer: every acknowledged ballot is in it.
    const dir = await mkdtemp(path.join(tmpdir(), 'evote-scaleout-'));
    try {
      const file = path.join(dir, 'log.ndjson');
      let report: AuditReport | undefined;
      // The checkpointer signs the log's tail a moment after TallyPublished: until then the export is INCOMPLETE.
      await until(
        async () => {
          await exportLogToFile(lb!.url, electionId, file);
          report = await audit({ from: file });
          return report.verdict !== 'INCOMPLETE';
        },
        30_000,
        'a checkpoint over the whole log',
      ).catch(() => undefined);
      expect(report!.gaps).toEqual([]);
      expect(report!.failures).toEqual([]);
      expect(report!.verdict).toBe('PASSED');
      expect(report!.ballotsCast).toBe(VOTERS);
      expect(report!.counts).toEqual(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const inLog = new Set(
      (await sql.query<{ h: string }>(`select data::jsonb ->> 'ballotHash' as h from evote_events where type = 'BallotCast' and data::jsonb ->> 'electionId' = $1`, [electionId])).rows.map((r) => r.h),
    );
    expect([...receipts.map((r) => r.ballotHash), crossReceipt!.ballotHash].filter((h) => !inLog.has(h))).toEqual([]);
    expect(inLog.size).toBe(VOTERS);

    // Projections ran in three processes, each event applied once: read models match the log.
    const inLogOf = (type: string) => count(`select count(*) as n from evote_events where type = $1 and data::jsonb ->> 'electionId' = $2`, [type, electionId]);
    expect(await count(`select count(*) as n from votes where election_id = $1`, [electionId])).toBe(await inLogOf('BallotCast'));
    expect(await count(`select count(*) as n from credentials where election_id = $1 and used`, [electionId])).toBe(await inLogOf('CredentialSpent'));
    expect(await count(`select count(*) as n from voters where election_id = $1`, [electionId])).toBe(await inLogOf('VoterRegistered'));
    expect(await count(`select count(*) as n from counted_votes where election_id = $1`, [electionId])).toBe(await inLogOf('VoteCounted'));
    expect(await count(`select coalesce(sum(votes), 0) as n from results where election_id = $1`, [electionId])).toBe(VOTERS);
    expect(await count(`select count(*) as n from evote_pool where election_id = $1`, [electionId])).toBe(0);
    // Work every process does, done once: one close, and each signed tree size checkpointed once.
    expect(await inLogOf('VotingEnded')).toBe(1);
    const checkpoints = await inLogOf('LogCheckpointed');
    expect(checkpoints).toBeGreaterThan(0);
    expect(await count(`select count(distinct data ->> 'size') as n from evote_events where type = 'LogCheckpointed' and data ->> 'electionId' = $1`, [electionId])).toBe(checkpoints);
    await Promise.all(watchers.map((w) => w.close().catch(() => undefined)));
    await admin.close();
  });
});
