/**
 * A trustee election end to end (docs/trustees.md "The ceremony and the tally"): `evote ceremony`
 * (the real CLI) deals the counter key 2-of-3; the admin creates elections with its transcript over
 * the real gateway (PostgreSQL, Redis, ephemeral port); ballots are cast; trustees decrypt on their
 * side (the real CLI, and the client library) and submit signed batches; the tally combines them.
 * One trustee is not enough (NOT_ENOUGH_TRUSTEES), any two are, a trustee sending a wrong value in
 * a batch is named by its batch proof and the tally completes with the other two, a re-run decrypts
 * nothing, batches are idempotent, conflicts and tampering refused, and the results and the audit
 * equal those of a single-key election on the same ballots. Then what the server stored and logged is searched for
 * any share, passphrase or counter key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicKey, randomBytes } from 'node:crypto';
import type { System } from '../../src/app/bootstrap.ts';
import { EvoteAdmin } from '../../src/client/admin.ts';
import { EvoteError } from '../../src/client/connection.ts';
import { audit, exportLogToFile } from '../../src/client/auditor.ts';
import { decryptAsTrustee, TrusteeDecryptError } from '../../src/client/trustee-decrypt.ts';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { electionFingerprint, parseFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { signAsTrustee, trusteeIdentityOf } from '../../src/client/trustee-identity.ts';
import type { ShareFile } from '../../src/client/trustee-ceremony.ts';
import { decryptShare } from '../../src/crypto/share-protection.ts';
import { deltaOf, encodeShare, parseThresholdParams, type TrusteeShare } from '../../src/crypto/threshold-rsa.ts';
import { partialDecryptBatch, verifyPartialBatch } from '../../src/crypto/threshold-rsa-batch.ts';
import { modPowOpenSsl } from '../../src/crypto/openssl-modpow.ts';
import { bytesToBigInt, fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { partialsBatchText, type TrusteeTranscript } from '../../src/domain/trustees.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { privateKeyFromPkcs8 } from '../../src/commands/election-keys.ts';
import { rsaPublicKeyOf } from '../../src/crypto/rsa.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { batchIdOf, partialValueFromText, partialValueToText, proofFromText, proofToText } from '../../src/tally/partial-text.ts';
import { runEvote } from '../support/run-cli.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type ReceivedLetter, type SmtpSink } from '../support/letters.ts';
import { vote, type ClientApp } from '../../src/client/voter.ts';
import { castBallot, commitmentOf, encryptFor, mintCredentials, ok, signedPlaintext, type TestElection } from '../tally/fixture.ts';

const NAMES = ['Ada', 'Babbage', 'Curie'];
const CHOICES = ['Oak', 'Pine', 'Elm'];
const VOTERS = 12;
/** The voters' ballots and two cast beside them: one with a forged signature, one sealed for another election. */
const BALLOTS = VOTERS + 2;
const logLines: string[] = [];
let dir: string;
let sink: SmtpSink;
let cluster: TestCluster;
let system: System;
let admin: EvoteAdmin;
let transcript: TrusteeTranscript;
let shareFiles: ShareFile[];
const passphrases = NAMES.map((n) => `${n.toLowerCase()} ${randomBytes(9).toString('base64url')}`);
const figures: Record<string, number> = {};

const cli = (args: string[]) => runEvote(['--url', system.gateway!.url, '--json', ...args], { EVOTE_ADMIN_TOKEN: cluster.adminToken });

interface OpenElection extends TestElection {
  letters: ReceivedLetter[];
  client: ClientApp;
}

/** An election through the gateway, with the ceremony's transcript or a server-held counter key, voting open, letters sent. */
async function openElection(trustees?: TrusteeTranscript): Promise<OpenElection> {
  const { electionId } = await admin.createElection({ theme: trustees ? 'Trees (trustees)' : 'Trees (single key)', choices: CHOICES, expectedVoters: 100, ...(trustees && { trustees }) });
  await admin.conn.request('command', 'election.importVoters', { electionId, csv: voterCsv(VOTERS, `${electionId.slice(0, 8)}.example.org`) }, { token: cluster.adminToken });
  const client = await admin.conn.request<ClientApp>('command', 'clients.register', { name: `trustee test ${electionId.slice(0, 8)}` }, { token: cluster.adminToken });
  await admin.startVoting(electionId);
  const { letters } = await issueLettersByEmail(admin.conn, cluster.adminToken, electionId, sink);
  const authority = privateKeyFromPkcs8((await system.keyStore.get(keyNames.authority(electionId))) as Uint8Array);
  const counter = await system.keyStore.get(keyNames.counter(electionId));
  const ballotPublicKey = trustees
    ? createPublicKey({ key: Buffer.from(trustees.ballotPublicKey, 'base64url'), format: 'der', type: 'spki' })
    : rsaPublicKeyOf(privateKeyFromPkcs8(counter as Uint8Array));
  return { electionId, choices: CHOICES, authorityPrivateKey: authority, authorityPublicKey: rsaPublicKeyOf(authority), ballotPublicKey, letters, client };
}

const choiceOf = (i: number) => CHOICES[i % 3 === 0 ? 1 : i % 5 === 0 ? 2 : 0] as string;

/** The same ballots in every election: each voter votes with the client library; then the two odd ones. */
async function castSameBallots(e: OpenElection): Promise<void> {
  const url = system.gateway!.url;
  await Promise.all(e.letters.map((letter, i) => vote({ url, credential: letter.credential, client: e.client, choice: choiceOf(i) })));
  const [forged, misdirected] = await mintCredentials(system.store, e.electionId, 2);
  await castBallot(system.store, e.electionId, forged!.n1, encryptFor(e, signedPlaintext(e, { choice: 'Oak', n2Commitment: commitmentOf(forged!), fast: true, forgeSignature: true })));
  await castBallot(system.store, e.electionId, misdirected!.n1, encryptFor({ ...e, electionId: 'elsewhere' }, signedPlaintext(e, { choice: 'Oak', n2Commitment: commitmentOf(misdirected!), fast: true })));
  await admin.endVoting(e.electionId);
}

const tally = (electionId: string) => admin.runTally({ electionId, workers: 2 });

async function openShare(i: number): Promise<TrusteeShare> {
  return ok(await decryptShare(shareFiles[i]!.protectedShare, passphrases[i]!));
}

interface Served {
  ballotHash: string;
  c0: string;
}

interface Submission {
  electionId: string;
  trusteeIndex: number;
  batch: number;
  partials: { ballotHash: string; partial: string }[];
  proof: string;
  signature: string;
}

const c0Of = (b: Served) => bytesToBigInt(fromBase64url(b.c0)!);
const served = async (electionId: string) => (await admin.conn.request<{ ballots: Served[] }>('query', 'tally.trusteeBallots', { electionId })).ballots;
const submit = (s: Submission) => admin.conn.request<{ stored: number; batch: number }>('command', 'tally.submitPartials', s);
const submitted = async (electionId: string) => (await admin.conn.request<{ submitted: Record<string, number> }>('query', 'tally.trustees', { electionId })).submitted;

/**
 * Trustee i's honest batch over these ballots (one batched proof), `alter` then changing values
 * before it is signed with the trustee's real identity key: form and signature pass whatever it does.
 */
async function signedBatch(electionId: string, i: number, ballots: readonly Served[], number: number, alter?: (xs: bigint[]) => void): Promise<Submission> {
  const params = ok(parseThresholdParams(transcript.params));
  const share = await openShare(i);
  const identity = trusteeIdentityOf(JSON.stringify(encodeShare(share)));
  const computed = partialDecryptBatch(params, share, ballots.map(c0Of));
  alter?.(computed.xs);
  const partials = ballots.map((b, j) => ({ ballotHash: b.ballotHash, partial: partialValueToText(params, { index: share.index, x: computed.xs[j]! }) }));
  const proof = proofToText(computed.proof);
  return { electionId, trusteeIndex: share.index, batch: number, partials, proof, signature: signAsTrustee(identity, partialsBatchText(electionId, share.index, number, partials, proof)) };
}

/** Trustee i's value of ballot j as if its share were s + 1: x·c^(2Δ), a wrong x no combination accepts. */
function wrongValue(ballots: readonly Served[], j: number): (xs: bigint[]) => void {
  const params = ok(parseThresholdParams(transcript.params));
  return (xs) => {
    xs[j] = (xs[j]! * modPowOpenSsl(c0Of(ballots[j]!), 2n * deltaOf(params), params.n)) % params.n;
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evote-trustees-'));
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url, poolK: 2 }, log: createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } }) });
  system = cluster.systems[0]!;
  admin = await EvoteAdmin.connect(system.gateway!.url, cluster.adminToken);
  const files = await Promise.all(passphrases.map(async (p, i) => {
    const file = path.join(dir, `pass-${i}.txt`);
    await writeFile(file, `${p}\n`, { mode: 0o600 });
    return file;
  }));
  const t0 = performance.now();
  const run = await runEvote(['--json', 'ceremony', ...NAMES.flatMap((n) => ['--trustee', n]), '--threshold', '2', ...files.flatMap((f) => ['--passphrase-file', f]), '--out', dir], {});
  figures.ceremonySeconds = (performance.now() - t0) / 1000;
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout) as { transcript: string; shares: string[]; seconds: number };
  figures.dealSeconds = out.seconds;
  transcript = JSON.parse(await readFile(out.transcript, 'utf8')) as TrusteeTranscript;
  shareFiles = await Promise.all(out.shares.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as ShareFile));
}, 600_000);

afterAll(async () => {
  console.log(`trustee election figures: ${JSON.stringify(figures)}`);
  await admin?.close();
  await cluster?.close();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a 2-of-3 trustee election', () => {
  let single: OpenElection;
  let pairAC: OpenElection;
  let faulty: OpenElection;
  let reference: { counts: Record<string, number>; statuses: Record<string, number>; ballots: number };

  it('the transcript is public: key, threshold, trustees with identity keys and share commitments', () => {
    expect(transcript).toMatchObject({ version: 1, threshold: 2, trustees: NAMES.map((name, i) => ({ index: i + 1, name })) });
    expect(Object.keys(transcript.params).sort()).toEqual(['e', 'k', 'l', 'n', 'scheme', 'v', 'vi']);
    expect(shareFiles.map((f) => f.index)).toEqual([1, 2, 3]);
  });

  it('creates the elections (the trustee ones hold no counter key) and casts the same ballots in each', async () => {
    single = await openElection();
    pairAC = await openElection(transcript);
    faulty = await openElection(transcript);
    for (const e of [pairAC, faulty]) {
      expect(await system.keyStore.get(keyNames.counter(e.electionId))).toBeUndefined();
      const row = await admin.getElection(e.electionId);
      expect(row.ballotPublicKey).toBe(transcript.ballotPublicKey);
    }
    const refused = await admin.createElection({ theme: 'x', choices: CHOICES, expectedVoters: 1, trustees: { ...transcript, threshold: 3 } }).catch((e: EvoteError) => e);
    expect((refused as EvoteError).code).toBe('INVALID_TRUSTEES');
    for (const e of [single, pairAC, faulty]) await castSameBallots(e);
    reference = await tally(single.electionId);
    expect(reference.ballots).toBe(BALLOTS);
    expect(reference.statuses).toMatchObject({ INVALID_SIGNATURE: 1, UNDECRYPTABLE: 1 });
  }, 120_000);

  it('refuses a batch not signed by the trustee, and a single trustee is not enough: NOT_ENOUGH_TRUSTEES', async () => {
    const params = ok(parseThresholdParams(transcript.params));
    const { ballots } = await admin.conn.request<{ ballots: { ballotHash: string; c0: string }[]; next: number | null }>('query', 'tally.trusteeBallots', { electionId: pairAC.electionId });
    expect(ballots).toHaveLength(BALLOTS);
    const honest = await signedBatch(pairAC.electionId, 0, ballots.slice(0, 2), 0);
    const forged = trusteeIdentityOf('not the share');
    const refused = await submit({ ...honest, signature: signAsTrustee(forged, partialsBatchText(pairAC.electionId, 1, 0, honest.partials, honest.proof)) }).catch((e: EvoteError) => e);
    expect((refused as EvoteError).code).toBe('INVALID_TRUSTEE_SIGNATURE');
    // The signature covers the values and the proof: any change after signing is refused.
    const proof = ok(proofFromText(params, honest.proof));
    const alteredProof = proofToText({ c: proof.c ^ 1n, z: proof.z });
    const swapped = [honest.partials[0]!, honest.partials[1]!].map((p, j, all) => ({ ballotHash: p.ballotHash, partial: all[1 - j]!.partial }));
    const otherX = ok(partialValueFromText(params, honest.partials[0]!.partial));
    const alteredX = [{ ...honest.partials[0]!, partial: partialValueToText(params, { index: 1, x: params.n - otherX.x }) }, honest.partials[1]!];
    for (const tampered of [{ ...honest, proof: alteredProof }, { ...honest, partials: swapped }, { ...honest, partials: alteredX }]) {
      expect(((await submit(tampered).catch((e: EvoteError) => e)) as EvoteError).code).toBe('INVALID_TRUSTEE_SIGNATURE');
    }
    // The old per-ballot form (`index.x.c.z` items, no batch proof) is no longer part of the protocol.
    const [c, z] = honest.proof.split('.') as [string, string];
    const perBallot = honest.partials.map((p) => ({ ...p, partial: `${p.partial}.${c}.${z}` }));
    const { proof: _dropped, ...withoutProof } = honest;
    for (const old of [{ ...withoutProof, partials: perBallot }, { ...honest, partials: perBallot }]) {
      expect(((await submit(old as Submission).catch((e: EvoteError) => e)) as EvoteError).code).toBe('INVALID_PAYLOAD');
    }
    expect(await submitted(pairAC.electionId)).toEqual({ 1: 0, 2: 0, 3: 0 });

    // Ada with the real CLI: worker threads, batches over the gateway.
    const run = await cli(['trustee', 'decrypt', pairAC.electionId, '--share', path.join(dir, 'share-1-ada.json'), '--passphrase-file', path.join(dir, 'pass-0.txt'), '--batch-size', '10']);
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { ballots: number; stored: number; batches: number; decryptSeconds: number };
    expect(r).toMatchObject({ ballots: BALLOTS, stored: BALLOTS, batches: 2 });
    figures.cliDecryptPerSecond = Math.round(r.ballots / r.decryptSeconds);
    // A re-run is served only the ballots still missing Ada's partial: none, so it decrypts and sends nothing.
    const again = await cli(['trustee', 'decrypt', pairAC.electionId, '--share', path.join(dir, 'share-1-ada.json'), '--passphrase-file', path.join(dir, 'pass-0.txt')]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ballots: 0, stored: 0, batches: 0, skipped: BALLOTS });
    const missing = await admin.conn.request<{ ballots: Served[]; next: number | null }>('query', 'tally.trusteeBallots', { electionId: pairAC.electionId, missingFor: 1 });
    expect(missing).toEqual({ ballots: [], next: null });
    expect((await admin.conn.request<{ ballots: Served[] }>('query', 'tally.trusteeBallots', { electionId: pairAC.electionId, missingFor: 3 })).ballots).toEqual(ballots);
    // The batches Ada's CLI sent: 10 and 4 ballots, in log order, each with one proof that verifies over its c0s.
    const batches = (await system.sql.query<{ batch_id: string; ballot_hashes: string[]; partials: string[]; proof: string }>(
      `select batch_id, ballot_hashes, partials, proof from evote_trustee_batches where election_id = $1 and trustee_index = 1`,
      [pairAC.electionId],
    )).rows.sort((a, b) => b.ballot_hashes.length - a.ballot_hashes.length);
    expect(batches.map((b) => b.ballot_hashes)).toEqual([ballots.slice(0, 10), ballots.slice(10)].map((bs) => bs.map((b) => b.ballotHash)));
    for (const b of batches) {
      expect(b.batch_id).toBe(batchIdOf(b.ballot_hashes));
      const cs = b.ballot_hashes.map((h) => c0Of(ballots.find((x) => x.ballotHash === h)!));
      const xs = b.partials.map((p) => ok(partialValueFromText(params, p)).x);
      expect(verifyPartialBatch(params, cs, { index: 1, xs, proof: ok(proofFromText(params, b.proof)) })).toBe(true);
    }

    const short = await tally(pairAC.electionId).catch((e: EvoteError) => e);
    expect(short).toBeInstanceOf(EvoteError);
    expect((short as EvoteError).code).toBe('NOT_ENOUGH_TRUSTEES');
    expect((short as EvoteError).details).toMatchObject({ have: 1, need: 2, trustees: ['Ada'] });
  }, 120_000);

  it("the fingerprint (v2) covers the trustees: the letters print it, the client computes it, the v1 of the same keys differs", async () => {
    for (const e of [pairAC, faulty]) {
      const row = await admin.getElection(e.electionId);
      expect(row.trustees).toMatchObject({ threshold: 2, params: transcript.params, trustees: transcript.trustees.map(({ index, name, identityKey, shareCommitment }) => ({ index, name, identityKey, shareCommitment })) });
      const computed = fingerprintOf(row);
      const printed = new Set(e.letters.map((l) => parseFingerprint(/Election fingerprint: ([0-9a-f ]+)/.exec(l.text)![1]!)));
      expect([...printed]).toEqual([computed]);
      const v1 = ok(electionFingerprint({ electionId: e.electionId, authorityPublicKey: row.authorityPublicKey!, ballotPublicKey: row.ballotPublicKey!, logPublicKey: row.logPublicKey! }));
      expect(computed).not.toBe(v1);
    }
    const single1 = await admin.getElection(single.electionId);
    expect(single1.trustees).toBeNull();
    const singlePrinted = /Election fingerprint: ([0-9a-f ]+)/.exec(single.letters[0]!.text)![1]!;
    expect(parseFingerprint(singlePrinted)).toBe(ok(electionFingerprint({ electionId: single.electionId, authorityPublicKey: single1.authorityPublicKey!, ballotPublicKey: single1.ballotPublicKey!, logPublicKey: single1.logPublicKey! })));
  });

  it('a trustee refuses to decrypt a c0 that is not a ballot of the audited log, or another transcript than its own: nothing is sent', async () => {
    // A server serving, beside pairAC's ballots, one of faulty's (same trustees' key): decrypting it would open another election's ballot.
    const { ballots: foreign } = await admin.conn.request<{ ballots: { position: number; ballotHash: string; c0: string }[] }>('query', 'tally.trusteeBallots', { electionId: faulty.electionId });
    const conn = admin.conn;
    const malicious = new Proxy(conn, {
      get(target, prop) {
        if (prop === 'request') {
          return async (...args: Parameters<typeof conn.request>) => {
            const r = await target.request<{ ballots: unknown[]; next: number | null }>(...args);
            return args[1] === 'tally.trusteeBallots' && r.next === null ? { ...r, ballots: [...r.ballots, foreign[0]] } : r;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const before = await admin.conn.request<{ submitted: Record<string, number> }>('query', 'tally.trustees', { electionId: pairAC.electionId });
    const refused = await decryptAsTrustee({ conn: malicious, electionId: pairAC.electionId, shareFile: shareFiles[1]!, passphrase: passphrases[1]!, threads: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrusteeDecryptError);
    expect((refused as TrusteeDecryptError).code).toBe('BALLOT_NOT_ON_LOG');
    const otherTranscript = { ...transcript, threshold: 3 };
    const mismatch = await decryptAsTrustee({ conn, electionId: pairAC.electionId, shareFile: shareFiles[1]!, passphrase: passphrases[1]!, threads: 1, transcript: otherTranscript }).catch((e: unknown) => e);
    expect((mismatch as TrusteeDecryptError).code).toBe('TRANSCRIPT_MISMATCH');
    const wrongPin = await decryptAsTrustee({ conn, electionId: pairAC.electionId, shareFile: shareFiles[1]!, passphrase: passphrases[1]!, threads: 1, fingerprint: '0'.repeat(64) }).catch((e: unknown) => e);
    expect((wrongPin as TrusteeDecryptError).code).toBe('LOG_NOT_VERIFIED');
    const after = await admin.conn.request<{ submitted: Record<string, number> }>('query', 'tally.trustees', { electionId: pairAC.electionId });
    expect(after.submitted).toEqual(before.submitted);
  }, 120_000);

  it('Ada and Curie together tally the same result as the single-key election', async () => {
    const t0 = performance.now();
    const fingerprint = fingerprintOf(await admin.getElection(pairAC.electionId))!;
    const r = await decryptAsTrustee({ conn: admin.conn, electionId: pairAC.electionId, shareFile: shareFiles[2]!, passphrase: passphrases[2]!, threads: 2, transcript, fingerprint });
    figures.libraryDecryptPerSecond = Math.round(r.ballots / r.decryptSeconds);
    figures.trusteeSubmitSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const result = await tally(pairAC.electionId);
    figures.tallySeconds = (performance.now() - t1) / 1000;
    expect(result.counts).toEqual(reference.counts);
    expect(result.statuses).toEqual(reference.statuses);
    expect(result.ballots).toBe(BALLOTS);
  }, 120_000);

  it('submitPartials is idempotent per value, refuses another value (PARTIALS_CONFLICT, nothing of the batch stored); a re-run decrypts only what is missing', async () => {
    const ballots = await served(faulty.electionId);
    const first = await signedBatch(faulty.electionId, 2, ballots.slice(0, 7), 0);
    expect(await submit(first)).toEqual({ stored: 7, batch: 0 });
    // The same batch again, and the same values grouped and proven again: repeats, nothing stored.
    expect(await submit(first)).toEqual({ stored: 0, batch: 0 });
    expect(await submit(await signedBatch(faulty.electionId, 2, ballots.slice(0, 3), 5))).toEqual({ stored: 0, batch: 5 });
    const regrouped = await system.sql.query(`select 1 from evote_trustee_batches where election_id = $1 and batch_id = $2`, [faulty.electionId, batchIdOf(ballots.slice(0, 3).map((b) => b.ballotHash))]);
    expect(regrouped.rows).toHaveLength(0);
    // Another value for a stored ballot (signed by Curie): refused, and the batch's new ballot is not stored either.
    const conflicting = await signedBatch(faulty.electionId, 2, [ballots[7]!, ballots[0]!], 1, wrongValue([ballots[7]!, ballots[0]!], 1));
    const conflict = await submit(conflicting).catch((e: EvoteError) => e);
    expect((conflict as EvoteError).code).toBe('PARTIALS_CONFLICT');
    expect((conflict as EvoteError).details).toMatchObject({ ballotHash: ballots[0]!.ballotHash, conflicts: 1 });
    expect((await submitted(faulty.electionId))['3']).toBe(7);
    // Curie's client, run now, is served and decrypts only the 7 ballots still missing.
    const r = await decryptAsTrustee({ conn: admin.conn, electionId: faulty.electionId, shareFile: shareFiles[2]!, passphrase: passphrases[2]!, threads: 2, batchSize: 4 });
    expect(r).toMatchObject({ ballots: 7, stored: 7, batches: 2, skipped: 7 });
    expect((await submitted(faulty.electionId))['3']).toBe(BALLOTS);
  }, 120_000);

  it('a trustee sending a wrong value in an honestly formed, signed batch is named by its batch proof: NOT_ENOUGH_TRUSTEES with Curie alone, then Babbage and Curie complete the tally', async () => {
    const ballots = await served(faulty.electionId);
    // Ada: two batches; the second holds one wrong value (its proof is Ada's honest proof format, computed before the change).
    const bad = 9;
    expect(await submit(await signedBatch(faulty.electionId, 0, ballots.slice(0, 7), 0))).toMatchObject({ stored: 7 });
    expect(await submit(await signedBatch(faulty.electionId, 0, ballots.slice(7), 1, wrongValue(ballots.slice(7), bad - 7)))).toMatchObject({ stored: 7 });
    // Ada and Curie are complete, so the tally starts; once Ada is named only Curie is left for the bad ballot.
    const short = await tally(faulty.electionId).catch((e: EvoteError) => e);
    expect((short as EvoteError).code).toBe('NOT_ENOUGH_TRUSTEES');
    expect((short as EvoteError).details).toEqual({ have: 1, need: 2, trustees: ['Curie'], faulty: ['Ada'] });
    // Babbage submits; the tally resumes without Ada's partials and completes.
    await decryptAsTrustee({ conn: admin.conn, electionId: faulty.electionId, shareFile: shareFiles[1]!, passphrase: passphrases[1]!, threads: 2 });
    const result = await tally(faulty.electionId);
    expect(result.counts).toEqual(reference.counts);
    expect(result.statuses).toEqual(reference.statuses);
    expect(result.ballots).toBe(BALLOTS);
    const named = (await system.store.readStream(`tally-${faulty.electionId}`, { limit: 1000 })).filter((e) => e.type === 'TrusteeFaulted');
    expect(named.map((e) => (e.data as { trustee: string }).trustee)).toEqual(['Ada']);
    // The evidence in the log: the ballot whose combination failed, its wrong value, and Ada's whole batch, whose proof fails over the c0s.
    const params = ok(parseThresholdParams(transcript.params));
    const fault = named[0]!.data as { ballotHash: string; partial: string; batch: { id: string; ballotHashes: string[]; partials: string[]; proof: string } };
    expect(fault.ballotHash).toBe(ballots[bad]!.ballotHash);
    expect(fault.batch.ballotHashes).toEqual(ballots.slice(7).map((b) => b.ballotHash));
    expect(fault.batch.id).toBe(batchIdOf(fault.batch.ballotHashes));
    expect(fault.partial).toBe(fault.batch.partials[bad - 7]);
    const xs = fault.batch.partials.map((p) => ok(partialValueFromText(params, p)).x);
    const cs = ballots.slice(7).map(c0Of);
    expect(verifyPartialBatch(params, cs, { index: 1, xs, proof: ok(proofFromText(params, fault.batch.proof)) })).toBe(false);
    // With Ada's true values (x = c^(2Δs) is deterministic) the same proof verifies: the proof was honest, one value was not.
    const honest = partialDecryptBatch(params, await openShare(0), cs).xs;
    expect(honest.filter((x, j) => x !== xs[j])).toHaveLength(1);
    expect(verifyPartialBatch(params, cs, { index: 1, xs: honest, proof: ok(proofFromText(params, fault.batch.proof)) })).toBe(true);
  }, 120_000);

  it('the audit of each trustee election passes and equals the single-key election', async () => {
    for (const e of [pairAC, faulty]) {
      const file = path.join(dir, `${e.electionId}.ndjson`);
      await exportLogToFile(system.gateway!.url, e.electionId, file);
      const report = await audit({ from: file, fingerprint: fingerprintOf(await admin.getElection(e.electionId))! });
      expect(report.failures).toEqual([]);
      expect(report.gaps, JSON.stringify(report.warnings)).toEqual([]);
      expect(report.verdict).toBe('PASSED');
      expect(report.ballotsCounted).toBe(BALLOTS);
      expect(report.counts).toEqual(reference.counts);
    }
    // `evote audit` itself, on the exported file.
    const cliAudit = await cli(['audit', '--from', path.join(dir, `${pairAC.electionId}.ndjson`)]);
    expect(cliAudit.code, cliAudit.stderr).toBe(0);
    expect(JSON.parse(cliAudit.stdout)).toMatchObject({ verdict: 'PASSED', ballotsCounted: BALLOTS });
  }, 120_000);

  it('the server stored and logged no share, no passphrase and no counter private key', async () => {
    const shares = await Promise.all([0, 1, 2].map(openShare));
    const secrets = [
      ...shares.flatMap((s) => {
        const enc = encodeShare(s).s;
        return [enc, Buffer.from(enc, 'base64url').toString('hex'), Buffer.from(enc, 'base64url').toString('base64').replace(/=+$/, ''), s.s.toString()].map((f) => f.slice(-48));
      }),
      ...passphrases,
    ];
    const found = (text: string) => secrets.filter((s) => text.includes(s)).length;
    // The scanner finds a share where one is: in the trustee's own decrypted share.
    expect(found(JSON.stringify(encodeShare(shares[0]!)))).toBeGreaterThan(0);

    const events = await system.store.readAll({ limit: 1_000_000 });
    expect(found(JSON.stringify(events))).toBe(0);
    expect(found(JSON.stringify(transcript))).toBe(0);
    expect(found(logLines.join('\n'))).toBe(0);
    expect(logLines.some((l) => l.includes('trustees named'))).toBe(true);

    const sql = system.sql;
    const tables = (await sql.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).rows;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['evote_trustee_partials', 'evote_trustee_batches']));
    for (const { table_name } of tables) {
      const { rows } = await sql.query(`select * from "${table_name}"`);
      expect(found(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))), table_name).toBe(0);
    }
    // The key store, opened: per trustee election only the authority, log and PII keys; no counter key.
    const names = (await sql.query<{ name: string }>(`select name from evote_keystore`)).rows.map((r) => r.name);
    for (const e of [pairAC, faulty]) {
      expect(names.filter((n) => n.startsWith(`election/${e.electionId}/`)).sort()).toEqual([keyNames.authority(e.electionId), keyNames.log(e.electionId), keyNames.pii(e.electionId)].sort());
    }
    for (const name of names) {
      const value = Buffer.from((await system.keyStore.get(name)) as Uint8Array);
      expect(found(`${value.toString('hex')} ${value.toString('base64')} ${toBase64url(value)}`), name).toBe(0);
    }
  }, 120_000);
});
