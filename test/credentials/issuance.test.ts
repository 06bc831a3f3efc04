/**
 * Credential issuance on the real stack below the gateway: a scratch PostgreSQL database (event
 * store, key store, read models), the real election command handlers, real letters on disk and a
 * real in-process SMTP server. Each letter is read back (QR decoded) to check what was minted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore, RecordedEvent } from '../../src/eventstore/port.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import { createElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import { createCredentialIssuer, type IssuanceProgress, type IssuanceSummary } from '../../src/commands/credential-issuance.ts';
import type { ElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import type { Result } from '../../src/domain/errors.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import { parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { verifySecretCode } from '../../src/credentials/secret-code.ts';
import type { CredentialMinted } from '../../src/domain/credential-events.ts';
import { createProjectionRunner } from '../../src/projections/runner.ts';
import { defaultProjections } from '../../src/projections/index.ts';
import { countCredentials, credentialsProjection } from '../../src/projections/credentials-projection.ts';
import { createReadModelQueries } from '../../src/projections/queries.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { credentialStreamPrefix, electionStreamId, voterStreamPrefix } from '../../src/domain/streams.ts';

let db: { url: string; drop(): Promise<void> };
let sql: SqlClient;
let store: EventStore;
let keyStore: KeyStore;
let commands: ElectionCommandHandlers;
let outRoot: string;

const clock = () => new Date('2030-03-01T09:00:00.000Z');

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url);
  store = await createSqlEventStore(sql);
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  commands = createElectionCommandHandlers(store, { now: clock, newId: randomUUID, keyStore });
  outRoot = await mkdtemp(path.join(tmpdir(), 'evote-letters-'));
});

afterAll(async () => {
  await store?.close();
  await sql?.close();
  await db?.drop();
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const csvOf = (emails: string[]) => ['email', ...emails].join('\n') + '\n';

/** A started election with `n` voters; returns its id and the voter ids in registration order. */
async function startedElection(emails: string[]): Promise<{ electionId: string; voterIds: string[] }> {
  const { electionId } = value(await commands.createElection({ theme: 'Library board', choices: ['Yes', 'No'], expectedVoters: emails.length }));
  value(await commands.importVoters({ electionId, csv: csvOf(emails) }));
  value(await commands.startVoting({ electionId }));
  const voterIds = (await store.readStream(electionStreamId(electionId)))
    .filter((e) => e.type === 'VoterRegistered')
    .map((e) => (e.data as { voterId: string }).voterId);
  return { electionId, voterIds };
}

async function readAllOf(prefix: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let from = 0; ; ) {
    const page = await store.readAll({ fromPosition: from, limit: 5_000, filter: { streamPrefixes: [prefix] } });
    out.push(...page);
    if (page.length < 5_000) return out;
    from = page.at(-1)!.position;
  }
}

/** Kendall-style ascents: a shuffled order of 0..n-1 has about (n-1)/2, the voter order has n-1. */
const ascents = (xs: number[]) => xs.slice(1).filter((x, i) => x > xs[i]!).length;

describe('credential issuance by postal letter (real PostgreSQL)', () => {
  it('200 voters: 200 PDFs + PNGs, 200 shuffled CredentialMinted, 200 CredentialIssued; a re-run issues nothing', async () => {
    const emails = Array.from({ length: 200 }, (_, i) => `reader${i}@library.example`);
    const { electionId, voterIds } = await startedElection(emails);
    const outDir = path.join(outRoot, electionId);
    const issuer = createCredentialIssuer({ store, keyStore, now: clock, batchSize: 50, minAnonymitySet: 50 });

    const progress: IssuanceProgress[] = [];
    const t = performance.now();
    const summary = value(await issuer.issue({ electionId, channel: 'letter', outDir }, (p) => progress.push(p)));
    const ms = performance.now() - t;
    console.log(`[issuance] 200 postal letters (PDF + PNG) in ${ms.toFixed(0)} ms (${((200 / ms) * 1000).toFixed(0)} letters/s)`);
    expect(summary).toMatchObject({ total: 200, issued: 200, failed: 0, alreadyIssued: 0, minted: 200 });
    expect(progress).toEqual([0, 50, 100, 150, 200].map((done) => ({ done, total: 200, failed: 0 })));

    // The files: one PDF and one PNG per voter, private to the owner.
    const files = (await readdir(outDir)).sort();
    expect(files).toHaveLength(400);
    expect(files.filter((f) => f.endsWith('.pdf')).map((f) => f.slice(0, -4)).sort()).toEqual([...voterIds].sort());
    const credentials = new Map<string, Credential>();
    for (const voterId of voterIds) {
      const pdf = await readFile(path.join(outDir, `${voterId}.pdf`));
      expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
      const uri = decodeQrPng(await readFile(path.join(outDir, `${voterId}.png`)));
      const parsed = parseCredentialUri(uri);
      if (!parsed.ok) throw new Error(parsed.error.message);
      expect(parsed.value).toMatchObject({ electionId, voterId });
      credentials.set(voterId, parsed.value);
    }

    // The log: every letter's hash(N1) minted once with its hash(N2), in an order unrelated to the voters.
    const minted = await readAllOf(credentialStreamPrefix(electionId));
    expect(minted).toHaveLength(200);
    const indexOfHashN1 = new Map(voterIds.map((v, i) => [hashToken(credentials.get(v)!.n1)!, i]));
    const mintOrder = minted.map((e) => {
      const d = e.data as CredentialMinted['data'];
      expect(e.streamId).toBe(`credential-${electionId}-${d.hashN1}`);
      expect(e.revision).toBe(0);
      const i = indexOfHashN1.get(d.hashN1);
      expect(i).toBeDefined();
      expect(d.hashN2).toBe(hashToken(credentials.get(voterIds[i!]!)!.n2));
      expect(Object.keys(d).sort()).toEqual(['electionId', 'hashN1', 'hashN2']);
      return i!;
    });
    expect(new Set(mintOrder).size).toBe(200);
    expect(mintOrder).not.toEqual([...mintOrder].sort((a, b) => a - b));
    // Within each batch of 50 the order is shuffled: far from 49 ascents (the voter order).
    for (let b = 0; b < 4; b++) expect(ascents(mintOrder.slice(b * 50, b * 50 + 50))).toBeLessThan(40);

    const served = await readAllOf(voterStreamPrefix(electionId));
    expect(served).toHaveLength(200);
    expect(served.every((e) => e.type === 'CredentialIssued')).toBe(true);
    expect(served.map((e) => (e.data as { voterId: string }).voterId).sort()).toEqual([...voterIds].sort());
    for (const e of served) expect(Object.keys(e.data as object).sort()).toEqual(['channel', 'electionId', 'issuedAt', 'voterId']);

    // The key store holds each voter's secret-code material: the letter's code verifies against it.
    const stored = await keyStore.getMany(voterIds.map((v) => keyNames.credential(electionId, v)));
    expect(stored.size).toBe(200);
    for (const v of voterIds) expect(verifySecretCode(stored.get(keyNames.credential(electionId, v))!, credentials.get(v)!.secretCode)).toBe(true);
    expect(verifySecretCode(stored.get(keyNames.credential(electionId, voterIds[0]!))!, credentials.get(voterIds[1]!)!.secretCode)).toBe(false);

    // A re-run serves nobody and appends nothing.
    const head = await store.headPosition();
    const again = value(await issuer.issue({ electionId, channel: 'letter', outDir }));
    expect(again).toEqual({ total: 0, issued: 0, failed: 0, alreadyIssued: 200, minted: 0, position: 0 });
    expect(await store.headPosition()).toBe(head);

    // The read models: voters show the status, credentials hold hashes only and no voter column.
    const runner = createProjectionRunner({ store, sql, projections: [...defaultProjections(), credentialsProjection()], log: silentLogger });
    await runner.start();
    try {
      await runner.waitFor(head, 30_000);
      const page = await createReadModelQueries(sql, keyStore).listVoters(electionId, { offset: 0, limit: 1000 });
      expect(page).toHaveLength(200);
      expect(page.every((v) => v.credentialStatus === 'issued' && v.channel === 'letter' && v.issuedAt === clock().toISOString())).toBe(true);
      expect(page.map((v) => v.email).sort()).toEqual([...emails].sort());
      expect(await countCredentials(sql, electionId)).toEqual({ minted: 200, used: 0 });
      const columns = (await sql.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'credentials'`)).rows;
      expect(columns.map((c) => c.column_name).sort()).toEqual(['election_id', 'hash_n1', 'hash_n2', 'position', 'used']);
    } finally {
      await runner.stop();
    }
  });

  it('refuses before the vote started, for an unknown election, and without a destination', async () => {
    const issuer = createCredentialIssuer({ store, keyStore, now: clock });
    const { electionId } = value(await commands.createElection({ theme: 'T', choices: ['a', 'b'], expectedVoters: 1 }));
    value(await commands.registerVoter({ electionId, email: 'early@example.org' }));
    const out = path.join(outRoot, 'never');
    expect(await issuer.issue({ electionId, channel: 'letter', outDir: out })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_STATE', details: { current: 'REGISTER', required: 'VOTE_STARTED' } },
    });
    expect(await issuer.issue({ electionId: 'nobody', channel: 'letter', outDir: out })).toMatchObject({ ok: false, error: { code: 'ELECTION_NOT_FOUND' } });
    expect(await issuer.issue({ electionId, channel: 'email' })).toMatchObject({ ok: false, error: { code: 'DELIVERY_NOT_CONFIGURED' } });
    expect(await issuer.issue({ electionId, channel: 'letter' })).toMatchObject({ ok: false, error: { code: 'DELIVERY_NOT_CONFIGURED' } });
    expect(await readAllOf(voterStreamPrefix(electionId))).toEqual([]);
  });
});

describe('credential issuance by e-mail with delivery failures (real SMTP server)', () => {
  let sink: SmtpSink;
  let refusing = true;
  beforeAll(async () => {
    // Recipients named bounce-* are refused permanently (550) until `refusing` is switched off.
    sink = await startSmtpSink({ refuse: (address) => (refusing && address.startsWith('bounce-') ? 550 : undefined) });
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('records CredentialDeliveryFailed for refused recipients, mints nothing for them, and a re-run retries only those', async () => {
    const emails = Array.from({ length: 60 }, (_, i) => (i % 12 === 5 ? `bounce-${i}@example.org` : `member${i}@example.org`));
    const bouncing = emails.filter((e) => e.startsWith('bounce-'));
    expect(bouncing).toHaveLength(5);
    const { electionId, voterIds } = await startedElection(emails);
    const issuer = createCredentialIssuer({
      store,
      keyStore,
      now: clock,
      smtpUrl: sink.url,
      mailerOptions: { retryDelayMs: 10, maxAttempts: 3 },
      batchSize: 25, // three batches of 20 (near-equal sizes), each with 18-19 deliveries
      minAnonymitySet: 10,
    });

    const first: IssuanceSummary = value(await issuer.issue({ electionId, channel: 'email' }));
    expect(first).toMatchObject({ total: 60, issued: 55, failed: 5, alreadyIssued: 0, minted: 55 });
    expect(sink.problems).toEqual([]);
    const firstLetters = sink.letters.filter((l) => l.credential.electionId === electionId);
    expect(firstLetters).toHaveLength(55);
    expect(new Set(firstLetters.map((l) => l.to))).toEqual(new Set(emails.filter((e) => !e.startsWith('bounce-'))));

    const voterEvents = await readAllOf(voterStreamPrefix(electionId));
    const failures = voterEvents.filter((e) => e.type === 'CredentialDeliveryFailed');
    expect(failures).toHaveLength(5);
    const bouncedIds = emails.flatMap((e, i) => (e.startsWith('bounce-') ? [voterIds[i]!] : []));
    expect(failures.map((e) => (e.data as { voterId: string }).voterId).sort()).toEqual([...bouncedIds].sort());
    for (const f of failures) {
      expect(f.data).toMatchObject({ channel: 'email', attempts: 1, reason: expect.stringContaining('SMTP 550') });
      expect(JSON.stringify(f.data)).not.toContain('@');
    }
    expect(await readAllOf(credentialStreamPrefix(electionId))).toHaveLength(55);
    // No secret code is kept for a voter who got no letter.
    expect((await keyStore.getMany(bouncedIds.map((v) => keyNames.credential(electionId, v)))).size).toBe(0);

    // The mailbox works again: the re-run serves exactly the five, padded with decoys to 10 mints.
    refusing = false;
    const second = value(await issuer.issue({ electionId, channel: 'email' }));
    expect(second).toMatchObject({ total: 5, issued: 5, failed: 0, alreadyIssued: 55, minted: 10 });
    const secondLetters = sink.letters.filter((l) => l.credential.electionId === electionId).slice(55);
    expect(secondLetters.map((l) => l.to).sort()).toEqual([...bouncing].sort());
    expect(secondLetters.map((l) => l.credential.voterId).sort()).toEqual([...bouncedIds].sort());

    const mints = (await readAllOf(credentialStreamPrefix(electionId))).map((e) => (e.data as CredentialMinted['data']).hashN1);
    expect(mints).toHaveLength(65);
    for (const l of [...firstLetters, ...secondLetters]) expect(mints).toContain(hashToken(l.credential.n1));
    const afterRetry = await readAllOf(voterStreamPrefix(electionId));
    expect(afterRetry.filter((e) => e.type === 'CredentialIssued')).toHaveLength(60);
    // A failed voter's stream: the failure at revision 0, the issuance at revision 1.
    expect(afterRetry.filter((e) => e.streamId.endsWith(bouncedIds[0]!)).map((e) => [e.type, e.revision])).toEqual([
      ['CredentialDeliveryFailed', 0],
      ['CredentialIssued', 1],
    ]);

    // A third run has nobody left to serve.
    expect(value(await issuer.issue({ electionId, channel: 'email' }))).toMatchObject({ total: 0, alreadyIssued: 60 });
  });

  it('one run at a time per election', async () => {
    const { electionId } = await startedElection(['solo1@example.org', 'solo2@example.org']);
    const issuer = createCredentialIssuer({ store, keyStore, now: clock, smtpUrl: sink.url });
    const [a, b] = await Promise.all([issuer.issue({ electionId, channel: 'email' }), issuer.issue({ electionId, channel: 'email' })]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    expect([a, b].find((r) => !r.ok)).toMatchObject({ error: { code: 'ISSUANCE_IN_PROGRESS' } });
  });
});
