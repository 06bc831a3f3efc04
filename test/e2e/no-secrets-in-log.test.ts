/**
 * After credentials are issued over the real gateway (PostgreSQL, Redis, real SMTP server), no
 * secret appears anywhere public or semi-public: not in any event of the log, not in the voters,
 * credentials or elections read models, not in the key store's rows (sealed), not in a log line
 * and not in the metrics. Secrets: every letter's secret code, N1 and N2, and every voter's e-mail
 * address, each searched in its text form and as hex and base64 of its bytes; after a few blind
 * signatures (on the signing workers), the authority's private key in its PKCS#8 and JWK forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EvoteConnection } from '../../src/client/connection.ts';
import type { System } from '../../src/app/bootstrap.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { fromBase64url, toBase64url } from '../../src/crypto/bytes.ts';
import { createPrivateKey } from 'node:crypto';
import { loginVoter, type ClientApp } from '../../src/client/client-login.ts';
import { prepareBallot } from '../../src/client/voter-ballot.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type ReceivedLetter, type SmtpSink } from '../support/letters.ts';

const VOTERS = 40;
const logLines: string[] = [];
let sink: SmtpSink;
let cluster: TestCluster;
let system: System;
let admin: EvoteConnection;
let adminToken: string;
// Distinctive addresses, so a hit can only be the address itself.
const tag = randomBytes(4).toString('hex');
const emails = Array.from({ length: VOTERS }, (_, i) => `citizen${i}.${tag}@town-${tag}.example`);

beforeAll(async () => {
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url }, log: createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } }) });
  system = cluster.systems[0]!;
  adminToken = cluster.adminToken;
  admin = await EvoteConnection.connect(system.gateway!.url);
});

afterAll(async () => {
  await admin?.close();
  await cluster?.close();
  await sink?.close();
});

/** The forms a secret could leak in: as given, and its bytes as hex, base64 and base64url. */
function formsOfToken(text: string): string[] {
  const bytes = fromBase64url(text);
  if (!bytes) throw new Error('not base64url');
  const b = Buffer.from(bytes);
  return [text, b.toString('hex'), b.toString('base64').replace(/=+$/, '')];
}

function formsOfEmail(email: string): string[] {
  const b = Buffer.from(email, 'utf8');
  return [email, email.toUpperCase(), email.split('@')[0]!, b.toString('hex'), b.toString('base64').replace(/=+$/, ''), b.toString('base64url')];
}

/** Every secret form found in `haystack`, named by kind (never printing the secret itself). */
function leaks(haystack: string, secrets: { kind: string; forms: string[] }[]): string[] {
  const lower = haystack.toLowerCase();
  const found: string[] = [];
  for (const s of secrets) for (const f of s.forms) if (haystack.includes(f) || lower.includes(f.toLowerCase())) found.push(s.kind);
  return found;
}

describe('no secret in the log, the read models, the log lines or the metrics', () => {
  let letters: ReceivedLetter[] = [];
  let secrets: { kind: string; forms: string[] }[] = [];

  it('issues credentials by e-mail over the gateway', async () => {
    const { electionId } = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Town referendum', choices: ['Yes', 'No'], expectedVoters: VOTERS },
      { token: adminToken },
    );
    await admin.request('command', 'election.importVoters', { electionId, csv: ['email', ...emails].join('\n') }, { token: adminToken });
    await admin.request('command', 'election.start', { electionId }, { token: adminToken });
    const issued = await issueLettersByEmail(admin, adminToken, electionId, sink);
    expect(issued.summary).toMatchObject({ issued: VOTERS, failed: 0 });
    letters = issued.letters;
    expect(letters).toHaveLength(VOTERS);
    secrets = [
      ...letters.flatMap((l) => [
        { kind: 'secret code', forms: formsOfToken(l.credential.secretCode) },
        { kind: 'N1', forms: formsOfToken(l.credential.n1) },
        { kind: 'N2', forms: formsOfToken(l.credential.n2) },
      ]),
      ...emails.map((e) => ({ kind: 'e-mail', forms: formsOfEmail(e) })),
    ];
    // The scanner is honest: it finds every kind of secret where they really are (the letters).
    expect(new Set(leaks(letters.map((l) => `${l.to}\n${l.text}`).join('\n'), secrets))).toEqual(new Set(['secret code', 'N1', 'N2', 'e-mail']));
  });

  it('blind-signs three voters over the gateway, and adds the authority key to the secrets', async () => {
    const { electionId } = letters[0]!.credential;
    const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'Secrets test app' }, { token: adminToken });
    const { authorityPublicKey } = await admin.request<{ authorityPublicKey: string }>('query', 'election.get', { electionId });
    for (const letter of letters.slice(0, 3)) {
      const conn = await EvoteConnection.connect(system.gateway!.url);
      try {
        const { accessToken } = await loginVoter(conn, letter.credential, client);
        const b = prepareBallot({ electionId, choice: 'Yes', n2Commitment: '0'.repeat(64), authorityPublicKey });
        const signed = await conn.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId, blindedMessage: b.blindedMessage }, { token: accessToken });
        expect(fromBase64url(signed.blindSignature)?.length).toBe(256);
      } finally {
        await conn.close();
      }
    }
    const der = await system.keyStore.get(keyNames.authority(electionId));
    const jwk = createPrivateKey({ key: Buffer.from(der!), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    const b = Buffer.from(der!);
    // The private members and the whole PKCS#8 (whose tail, the private part, is what a leak would show).
    const forms = [b.toString('hex'), b.toString('base64').replace(/=+$/, ''), toBase64url(b), ...[jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].flatMap((x) => [x!, Buffer.from(x!, 'base64url').toString('hex')])];
    const authorityKey = { kind: 'authority key', forms: forms.map((f) => f.slice(-64)) };
    // The scanner would catch the key logged as a JWK or as its DER.
    expect(leaks(JSON.stringify(jwk), [authorityKey])).toContain('authority key');
    expect(leaks(`key=${b.toString('base64')}`, [authorityKey])).toContain('authority key');
    secrets.push(authorityKey);
  });

  it('finds none in any event of the log', async () => {
    const events = await system.store.readAll({ limit: 100_000 });
    expect(events.length).toBeGreaterThanOrEqual(1 + VOTERS + 1 + 2 * VOTERS);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['ElectionCreated', 'VoterRegistered', 'VotingStarted', 'CredentialMinted', 'CredentialIssued']) expect(types.has(t), t).toBe(true);
    expect(leaks(JSON.stringify(events), secrets)).toEqual([]);
  });

  it('finds none in the read models or the key store rows', async () => {
    for (const table of ['elections', 'voters', 'credentials', 'evote_keystore']) {
      const { rows } = await system.sql.query(`SELECT * FROM ${table}`);
      expect(rows.length, table).toBeGreaterThan(0);
      const dump = JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
      expect(leaks(dump, secrets), table).toEqual([]);
    }
  });

  it('finds none in the log lines or the metrics', async () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(logLines.join('\n'), secrets)).toEqual([]);
    expect(leaks(await system.metrics.renderPrometheus(), secrets)).toEqual([]);
  });
});
