/**
 * Every credential letter carries the election fingerprint of the keys its ElectionCreated
 * published: postal letters (PDF) and e-mails, issued by the real issuer over a scratch PostgreSQL
 * database and the real election command handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { createElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import { createCredentialIssuer } from '../../src/commands/credential-issuance.ts';
import type { ElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import type { Result } from '../../src/domain/errors.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import { parseCredentialUri } from '../../src/credentials/credential-uri.ts';
import { renderLetterFiles } from '../../src/credentials/letter.ts';
import { letterText, type MailLetter } from '../../src/credentials/mailer.ts';
import { electionFingerprint, formatFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

let db: { url: string; drop(): Promise<void> };
let sql: SqlClient;
let store: EventStore;
let commands: ElectionCommandHandlers;
let keyStore: Awaited<ReturnType<typeof createSqlKeyStore>>;
let outRoot: string;

const now = () => new Date('2030-03-01T09:00:00.000Z');
const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url);
  store = await createSqlEventStore(sql);
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  commands = createElectionCommandHandlers(store, { now, newId: randomUUID, keyStore });
  outRoot = await mkdtemp(path.join(tmpdir(), 'evote-letter-fp-'));
});
afterAll(async () => {
  await store?.close();
  await sql?.close();
  await db?.drop();
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

/** A started election with three voters, and the fingerprint of the keys in its ElectionCreated. */
async function startedElection(): Promise<{ electionId: string; fingerprint: string }> {
  const { electionId } = value(await commands.createElection({ theme: 'Harbour board', choices: ['Yes', 'No'], expectedVoters: 3 }));
  value(await commands.importVoters({ electionId, csv: 'email\na@example.org\nb@example.org\nc@example.org\n' }));
  value(await commands.startVoting({ electionId }));
  const created = (await store.readStream(electionStreamId(electionId)))[0]!.data as ElectionCreated['data'];
  const fp = electionFingerprint(created);
  if (!fp.ok) throw new Error(fp.error.message);
  return { electionId, fingerprint: fp.value };
}

describe('the election fingerprint on credential letters', () => {
  it('is printed on every postal letter: the PDF is the one rendered with the fingerprint of ElectionCreated', async () => {
    const { electionId, fingerprint } = await startedElection();
    const outDir = path.join(outRoot, 'postal');
    const issuer = createCredentialIssuer({ store, keyStore, now, minAnonymitySet: 0 });
    expect(value(await issuer.issue({ electionId, channel: 'letter', outDir })).issued).toBe(3);
    const pngs = (await readdir(outDir)).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(3);
    for (const png of pngs) {
      const uri = decodeQrPng(await readFile(path.join(outDir, png)));
      const c = parseCredentialUri(uri ?? '');
      if (!uri || !c.ok) throw new Error('not a credential');
      // Letters are deterministic: the same letter with the expected fingerprint gives the same bytes.
      const input = { electionTheme: 'Harbour board', electionId, fingerprint, voterId: c.value.voterId, n1: c.value.n1, n2: c.value.n2, uri };
      const expected = { input, pdf: renderLetterFiles(input).pdf };
      const pdf = await readFile(path.join(outDir, png.replace(/\.png$/, '.pdf')));
      expect(pdf.equals(expected.pdf)).toBe(true);
      expect(pdf.equals(renderLetterFiles({ ...expected.input, fingerprint: 'ab12'.repeat(16) }).pdf)).toBe(false);
    }
  });

  it('is in every e-mail letter', async () => {
    const { electionId, fingerprint } = await startedElection();
    const sent: MailLetter[] = [];
    const issuer = createCredentialIssuer({
      store,
      keyStore,
      now,
      minAnonymitySet: 0,
      createMailer: () => ({ sendLetter: async (l) => (sent.push(l), { ok: true, attempts: 1 }), close: () => {} }),
    });
    expect(value(await issuer.issue({ electionId, channel: 'email' })).issued).toBe(3);
    expect(sent.map((l) => l.fingerprint)).toEqual([fingerprint, fingerprint, fingerprint]);
    for (const l of sent) expect(letterText(l)).toContain(`Election fingerprint: ${formatFingerprint(fingerprint)}`);
  });
});
