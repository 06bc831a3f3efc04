/**
 * The election command handlers against the real SQL event store on PGlite (one per file).
 * Interleavings are forced with a thin pass-through wrapper around that real store that lets
 * "another writer" append at a chosen moment; nothing about the store itself is simulated.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventData, EventStore, RecordedEvent } from '../../src/eventstore/port.ts';
import { createElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import { AggregateCache, handleCommand } from '../../src/commands/command-handler.ts';
import { electionDecider, isRegistered, type ElectionState } from '../../src/domain/election.ts';
import type { ElectionCommandHandlers, ImportProgress } from '../../src/commands/election-command-handlers.ts';
import type { Result } from '../../src/domain/errors.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import { decryptEmail, emailHmac, encryptEmail, getOrCreatePiiKey } from '../../src/keystore/pii.ts';
import { privateKeyFromPkcs8, rsaSpkiBase64url, ed25519RawBase64url } from '../../src/commands/election-keys.ts';
import { rsaPublicNumbers } from '../../src/crypto/rsa.ts';
import { fromBase64url } from '../../src/crypto/bytes.ts';
import { createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { electionStreamId } from '../../src/domain/streams.ts';

let sql: SqlClient;
let store: EventStore;
let keyStore: KeyStore;

beforeAll(async () => {
  sql = await createScratchPglite();
  store = await createSqlEventStore(sql);
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
});

afterAll(async () => {
  await store?.close();
  await sql?.close();
});

const clock = () => new Date('2030-01-01T09:00:00.000Z');
const handlersOn = (s: EventStore, extra: { maxRetries?: number; cacheSize?: number; keyStore?: KeyStore } = {}) =>
  createElectionCommandHandlers(s, { now: clock, newId: randomUUID, keyStore, ...extra });

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function errorOf<T>(r: Result<T>) {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

async function eventsOf(electionId: string): Promise<RecordedEvent[]> {
  return store.readStream(electionStreamId(electionId));
}

/** The registered addresses of an election, decrypted with its PII key (the events hold no clear address). */
async function emailsOf(electionId: string): Promise<string[]> {
  const piiKey = await getOrCreatePiiKey(keyStore, electionId);
  return (await eventsOf(electionId))
    .filter((e) => e.type === 'VoterRegistered')
    .map((e) => decryptEmail(piiKey, electionId, (e.data as { emailEncrypted: string }).emailEncrypted) ?? '<undecryptable>');
}

async function newElection(h: ElectionCommandHandlers, expectedVoters = 100): Promise<string> {
  return value(await h.createElection({ theme: 'Board', choices: ['Alice', 'Bob'], expectedVoters })).electionId;
}

/** What another writer would append: the address protected under the election's PII key. */
async function voterRegistered(electionId: string, email: string): Promise<EventData> {
  const piiKey = await getOrCreatePiiKey(keyStore, electionId);
  return {
    type: 'VoterRegistered',
    data: {
      electionId,
      voterId: randomUUID(),
      emailHmac: emailHmac(piiKey, email),
      emailEncrypted: encryptEmail(piiKey, electionId, email),
      registeredAt: clock().toISOString(),
    },
  };
}

/** The real store, with hooks that run another writer's work at a chosen moment. */
function interleaved(
  inner: EventStore,
  hooks: { afterRead?: (streamId: string) => Promise<void>; afterAppend?: (streamId: string, count: number) => Promise<void> },
  reads: { streamId: string; fromRevision: number }[] = [],
): EventStore {
  return {
    ...inner,
    async readStream(streamId, opts) {
      reads.push({ streamId, fromRevision: opts?.fromRevision ?? 0 });
      const events = await inner.readStream(streamId, opts);
      await hooks.afterRead?.(streamId);
      return events;
    },
    async append(streamId, events, opts) {
      const result = await inner.append(streamId, events, opts);
      await hooks.afterAppend?.(streamId, events.length);
      return result;
    },
  };
}

const csvOf = (emails: string[]) => ['name,email', ...emails.map((e, i) => `"Voter ${i}",${e}`)].join('\r\n') + '\r\n';

describe('election command handlers on the SQL event store (PGlite)', () => {
  it('runs the lifecycle: create, configure, register, start, end', async () => {
    const h = handlersOn(store);
    const created = value(await h.createElection({ theme: ' Board ', choices: ['Alice', 'Bob'], expectedVoters: 2, electionId: 'round-trip' }));
    expect(created.electionId).toBe('round-trip');
    expect(errorOf(await h.createElection({ theme: 'x', choices: ['a', 'b'], expectedVoters: 1, electionId: 'round-trip' })).code).toBe(
      'ELECTION_ALREADY_EXISTS',
    );

    const configured = value(await h.configureElection({ electionId: 'round-trip', expectedVoters: 3, closesAt: '2030-02-01T00:00:00Z' }));
    expect(configured.position).toBeGreaterThan(created.position);
    const unchanged = value(await h.configureElection({ electionId: 'round-trip', expectedVoters: 3 }));
    expect(unchanged.position).toBe(configured.position); // nothing appended

    const jane = value(await h.registerVoter({ electionId: 'round-trip', email: 'Jane@Example.org' }));
    expect(errorOf(await h.registerVoter({ electionId: 'round-trip', email: 'jane@example.org' })).code).toBe('DUPLICATE_VOTER');
    expect(errorOf(await h.registerVoter({ electionId: 'round-trip', email: 'not-an-email' })).code).toBe('INVALID_EMAIL');
    const started = value(await h.startVoting({ electionId: 'round-trip' }));
    expect(errorOf(await h.registerVoter({ electionId: 'round-trip', email: 'late@example.org' }))).toMatchObject({
      code: 'WRONG_STATE',
      details: { current: 'VOTE_STARTED', required: 'REGISTER' },
    });
    const ended = value(await h.endVoting({ electionId: 'round-trip' }));
    expect(errorOf(await h.endVoting({ electionId: 'round-trip' })).code).toBe('WRONG_STATE');
    expect(started.position).toBeGreaterThan(jane.position);
    expect(ended.position).toBeGreaterThan(started.position);

    const events = await eventsOf('round-trip');
    expect(events.map((e) => e.type)).toEqual(['ElectionCreated', 'ElectionConfigured', 'VoterRegistered', 'VotingStarted', 'VotingEnded']);
    expect(events[0]?.data).toMatchObject({ theme: 'Board', expectedVoters: 2 });
    expect(events[1]?.data).toEqual({ electionId: 'round-trip', expectedVoters: 3, closesAt: '2030-02-01T00:00:00.000Z', configuredAt: clock().toISOString() });
    const piiKey = await getOrCreatePiiKey(keyStore, 'round-trip');
    expect(events[2]?.data).toMatchObject({ voterId: jane.voterId, emailHmac: emailHmac(piiKey, 'jane@example.org') });
    expect(decryptEmail(piiKey, 'round-trip', (events[2]?.data as { emailEncrypted: string }).emailEncrypted)).toBe('jane@example.org');
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(/jane/i);
    expect(events[3]?.data).toMatchObject({ registeredVoters: 1 });
    expect(events[4]?.data).toMatchObject({ reason: 'ADMIN' });
    expect(events[4]?.position).toBe(ended.position);
  });

  it('refuses commands on an unknown election and generates ids when none is given', async () => {
    const h = handlersOn(store);
    expect(errorOf(await h.startVoting({ electionId: 'nobody' })).code).toBe('ELECTION_NOT_FOUND');
    expect(errorOf(await h.importVoters({ electionId: 'nobody', csv: 'email\na@example.org' })).code).toBe('ELECTION_NOT_FOUND');
    const id = await newElection(h);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.readStream('election-nobody')).toEqual([]);
  });

  it('racing handlers never lose an event: all registrations land, exactly once', async () => {
    const a = handlersOn(store, { maxRetries: 50 });
    const b = handlersOn(store, { maxRetries: 50 });
    const electionId = await newElection(a, 1000);
    let conflicts = 0;
    const counting: EventStore = {
      ...store,
      async append(streamId, events, opts) {
        try {
          return await store.append(streamId, events, opts);
        } catch (err) {
          conflicts++;
          throw err;
        }
      },
    };
    const c = handlersOn(counting, { maxRetries: 50 });
    const emails = Array.from({ length: 60 }, (_, i) => `racer${i}@example.org`);
    // Three handlers (two with their own cache, one shared by two callers) register in parallel.
    const results = await Promise.all(emails.map((email, i) => [a, b, c, c][i % 4]!.registerVoter({ electionId, email })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(conflicts).toBeGreaterThan(0); // the race really happened and was retried

    expect((await emailsOf(electionId)).sort()).toEqual([...emails].sort());
    const positions = results.map((r) => value(r).position);
    expect(new Set(positions).size).toBe(emails.length);
  });

  it('racing on the same e-mail or on the lifecycle: one wins, the other gets a domain error', async () => {
    const a = handlersOn(store);
    const b = handlersOn(store);
    const electionId = await newElection(a);
    const both = await Promise.all([a.registerVoter({ electionId, email: 'same@example.org' }), b.registerVoter({ electionId, email: 'same@example.org' })]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'DUPLICATE_VOTER' } });

    const starts = await Promise.all([a.startVoting({ electionId }), b.startVoting({ electionId })]);
    expect(starts.filter((r) => r.ok)).toHaveLength(1);
    expect(starts.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
    expect((await eventsOf(electionId)).map((e) => e.type)).toEqual(['ElectionCreated', 'VoterRegistered', 'VotingStarted']);
  });

  it('gives up with CONCURRENCY_CONFLICT after maxRetries, keeping the other writer’s events', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h);
    const streamId = electionStreamId(electionId);
    let n = 0;
    // Another writer registers someone between every read and append of the handler.
    const busy = interleaved(store, {
      afterRead: async (s) => {
        if (s === streamId) await store.append(s, [await voterRegistered(electionId, `other${n++}@example.org`)], { expectedRevision: 'any' });
      },
    });
    const r = await handlersOn(busy, { maxRetries: 2 }).registerVoter({ electionId, email: 'me@example.org' });
    expect(errorOf(r)).toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { attempts: 3 } });
    // One read for the early refusal check (before the PII key is used), then three attempts.
    expect(await emailsOf(electionId)).toEqual(['other0@example.org', 'other1@example.org', 'other2@example.org', 'other3@example.org']);
  });

  it('the aggregate cache reads only new events and sees another writer’s appends', async () => {
    const reads: { streamId: string; fromRevision: number }[] = [];
    const a = handlersOn(interleaved(store, {}, reads));
    const b = handlersOn(store);
    const electionId = await newElection(a);
    value(await a.registerVoter({ electionId, email: 'a@example.org' })); // revision 1, cached
    value(await b.registerVoter({ electionId, email: 'b@example.org' })); // revision 2, not in a's cache

    reads.length = 0;
    expect(errorOf(await a.registerVoter({ electionId, email: 'B@example.org' })).code).toBe('DUPLICATE_VOTER');
    // The early refusal check catches up from the cached revision; the command then reads nothing new.
    expect(reads).toEqual([
      { streamId: electionStreamId(electionId), fromRevision: 2 },
      { streamId: electionStreamId(electionId), fromRevision: 3 },
    ]);

    // A stale cache entry is caught up by the conflict path too: b appends right after a reads.
    let once = true;
    const racing = interleaved(store, {
      afterRead: async () => {
        if (once) {
          once = false;
          value(await b.registerVoter({ electionId, email: 'c@example.org' }));
        }
      },
    });
    const cache = new AggregateCache<ElectionState>(4);
    const cmd = { type: 'StartVoting', electionId, now: clock().toISOString() } as const;
    const started = await handleCommand(racing, electionDecider, electionStreamId(electionId), cmd, { cache });
    expect(value(started).events).toEqual([{ type: 'VotingStarted', data: { electionId, startedAt: cmd.now, registeredVoters: 3 } }]);
    const cached = cache.get(electionStreamId(electionId));
    expect(cached?.revision).toBe(4);
    expect(cached?.state.status).toBe('VOTE_STARTED');
    expect(isRegistered(cached!.state, emailHmac(await getOrCreatePiiKey(keyStore, electionId), 'c@example.org'))).toBe(true);
  });

  it('a command that decides nothing answers with the stream’s last position', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h);
    const last = (await eventsOf(electionId)).at(-1)!;
    const r = await handleCommand(store, electionDecider, electionStreamId(electionId), {
      type: 'ConfigureElection',
      electionId,
      now: clock().toISOString(),
    });
    expect(value(r)).toEqual({ events: [], nextExpectedRevision: 0, position: last.position });
  });
});

describe('voter import', () => {
  const emails10k = Array.from({ length: 10_000 }, (_, i) => `voter${i}@example.org`);

  it('imports 10,000 CSV rows in batches with progress, and a re-run skips them all', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h, 10_000);
    const progress: ImportProgress[] = [];
    const t = performance.now();
    const r = value(await h.importVoters({ electionId, csv: csvOf(emails10k) }, (p) => progress.push(p)));
    const ms = performance.now() - t;
    console.log(`import: 10,000 rows in ${ms.toFixed(0)} ms on PGlite`);
    expect(r.imported).toBe(10_000);
    expect(r.skipped).toBe(0);
    expect(progress).toHaveLength(10);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * 1000));
    expect(progress.at(-1)).toEqual({ done: 10_000, total: 10_000, skipped: 0 });

    const events = await eventsOf(electionId);
    expect(events).toHaveLength(10_001);
    expect(r.position).toBe(events.at(-1)!.position);
    expect(await emailsOf(electionId)).toEqual(emails10k);
    expect(new Set(events.slice(1).map((e) => (e.data as { voterId: string }).voterId)).size).toBe(10_000);

    const rerunProgress: ImportProgress[] = [];
    const rerun = value(await h.importVoters({ electionId, csv: csvOf(emails10k) }, (p) => rerunProgress.push(p)));
    expect(rerun).toEqual({ imported: 0, skipped: 10_000, position: r.position });
    expect(rerunProgress).toEqual([{ done: 0, total: 10_000, skipped: 10_000 }]);
    expect(await eventsOf(electionId)).toHaveLength(10_001);

    // Full, so one more voter is refused, and the election can start with all of them.
    expect(errorOf(await h.registerVoter({ electionId, email: 'one-more@example.org' })).code).toBe('TOO_MANY_VOTERS');
    value(await h.startVoting({ electionId }));
    const started = (await eventsOf(electionId)).at(-1)!;
    expect(started.data).toMatchObject({ registeredVoters: 10_000 });
  });

  it('completes an interrupted import: rows already registered are skipped', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h, 1000);
    const emails = emails10k.slice(0, 1000);
    value(await h.importVoters({ electionId, csv: csvOf(emails.slice(0, 350)), batchSize: 100 }));
    const progress: ImportProgress[] = [];
    const r = value(await h.importVoters({ electionId, csv: csvOf(emails), batchSize: 300 }, (p) => progress.push(p)));
    expect(r).toMatchObject({ imported: 650, skipped: 350 });
    expect(progress).toEqual([
      { done: 300, total: 1000, skipped: 350 },
      { done: 600, total: 1000, skipped: 350 },
      { done: 650, total: 1000, skipped: 350 },
    ]);
    expect(await emailsOf(electionId)).toEqual(emails);
  });

  it('reports a bad CSV row or a bad e-mail with its line, and appends nothing', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h, 10_000);
    const badCsv = csvOf(emails10k.slice(0, 100)).replace('"Voter 41",', '"Voter 41,');
    expect(errorOf(await h.importVoters({ electionId, csv: badCsv }))).toMatchObject({ code: 'INVALID_CSV', details: { line: 43 } });

    const badEmail = [...emails10k.slice(0, 5000)];
    badEmail[4000] = 'voter4000 at example.org';
    expect(errorOf(await h.importVoters({ electionId, csv: csvOf(badEmail) }))).toMatchObject({ code: 'INVALID_EMAIL', details: { line: 4002 } });

    const duplicate = [...emails10k.slice(0, 10), 'VOTER3@example.org'];
    expect(errorOf(await h.importVoters({ electionId, csv: csvOf(duplicate) }))).toMatchObject({
      code: 'DUPLICATE_VOTER',
      details: { line: 12, firstLine: 5 },
    });

    const small = await newElection(h, 5);
    expect(errorOf(await h.importVoters({ electionId: small, csv: csvOf(emails10k.slice(0, 6)) }))).toMatchObject({
      code: 'TOO_MANY_VOTERS',
      details: { line: 7 },
    });
    expect(await eventsOf(electionId)).toHaveLength(1);
    expect(await eventsOf(small)).toHaveLength(1);
  });

  it('a writer appending mid-import makes it re-decide the remaining rows and carry on', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h, 3000);
    const streamId = electionStreamId(electionId);
    const emails = emails10k.slice(0, 2000);
    let batches = 0;
    // After the import's second batch, someone else registers one row of the file and a stranger.
    const busy = interleaved(store, {
      afterAppend: async (s, count) => {
        if (s !== streamId || count < 100 || ++batches !== 2) return;
        await store.append(s, [await voterRegistered(electionId, emails[1500]!), await voterRegistered(electionId, 'stranger@example.org')], {
          expectedRevision: 'any',
        });
      },
    });
    const progress: ImportProgress[] = [];
    const r = value(await handlersOn(busy).importVoters({ electionId, csv: csvOf(emails), batchSize: 500 }, (p) => progress.push(p)));
    expect(r).toMatchObject({ imported: 1999, skipped: 1 });
    expect(progress.at(-1)).toEqual({ done: 1999, total: 2000, skipped: 1 });

    const registered = await emailsOf(electionId);
    expect(registered).toHaveLength(2001);
    expect(new Set(registered).size).toBe(2001);
    expect(registered.slice(0, 1000)).toEqual(emails.slice(0, 1000));
    expect(registered.slice(1000, 1002)).toEqual([emails[1500], 'stranger@example.org']);
  });

  it('refuses an import once voting started', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h);
    value(await h.registerVoter({ electionId, email: 'a@example.org' }));
    value(await h.startVoting({ electionId }));
    expect(errorOf(await h.importVoters({ electionId, csv: csvOf(['b@example.org']) }))).toMatchObject({ code: 'WRONG_STATE' });
  });
});

describe('election keys and protected e-mails', () => {
  it('creates the authority, counter and log keys: private halves in the key store, public halves in ElectionCreated', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h);
    const [created] = await eventsOf(electionId);
    const data = created!.data as { authorityPublicKey: string; ballotPublicKey: string; logPublicKey: string };

    const authority = privateKeyFromPkcs8((await keyStore.get(keyNames.authority(electionId)))!);
    const counter = privateKeyFromPkcs8((await keyStore.get(keyNames.counter(electionId)))!);
    const log = privateKeyFromPkcs8((await keyStore.get(keyNames.log(electionId)))!);
    expect(rsaSpkiBase64url(authority)).toBe(data.authorityPublicKey);
    expect(rsaSpkiBase64url(counter)).toBe(data.ballotPublicKey);
    expect(ed25519RawBase64url(log)).toBe(data.logPublicKey);
    expect(data.authorityPublicKey).not.toBe(data.ballotPublicKey);
    expect(rsaPublicNumbers(authority)).toMatchObject({ modulusBits: 2048, e: 65537n });
    expect(fromBase64url(data.logPublicKey)).toHaveLength(32);
    // The public log key really verifies what the stored private key signs.
    const pub = createPublicKey(authority);
    expect(pub.asymmetricKeyType).toBe('rsa');
    const logPub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: data.logPublicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from('checkpoint'), logPub, sign(null, Buffer.from('checkpoint'), log))).toBe(true);
    // The PII key exists from creation on.
    expect(await keyStore.get(keyNames.pii(electionId))).toHaveLength(32);
    // Nothing private in the event.
    expect(JSON.stringify(created)).not.toContain('PRIVATE');
  });

  it('makes no keys for a refused creation, and a creation retried after a failed append reuses the stored keys', async () => {
    const h = handlersOn(store);
    expect(errorOf(await h.createElection({ theme: ' ', choices: ['a', 'b'], expectedVoters: 1, electionId: 'no-keys' })).code).toBe('INVALID_THEME');
    expect(await keyStore.get(keyNames.authority('no-keys'))).toBeUndefined();
    expect(await keyStore.get(keyNames.pii('no-keys'))).toBeUndefined();

    // The store refuses the first append: the private keys are already stored (written before the append).
    let failOnce = true;
    const flaky: EventStore = {
      ...store,
      async append(streamId, events, opts) {
        if (failOnce && streamId === electionStreamId('orphan-keys')) {
          failOnce = false;
          throw new Error('database went away');
        }
        return store.append(streamId, events, opts);
      },
    };
    await expect(handlersOn(flaky).createElection({ theme: 'T', choices: ['a', 'b'], expectedVoters: 1, electionId: 'orphan-keys' })).rejects.toThrow(
      'database went away',
    );
    const orphan = await keyStore.get(keyNames.authority('orphan-keys'));
    expect(orphan).toBeDefined();
    value(await handlersOn(flaky).createElection({ theme: 'T', choices: ['a', 'b'], expectedVoters: 1, electionId: 'orphan-keys' }));
    const [created] = await eventsOf('orphan-keys');
    expect((created!.data as { authorityPublicKey: string }).authorityPublicKey).toBe(rsaSpkiBase64url(privateKeyFromPkcs8(orphan!)));
  });

  it('racing creations of one id: one wins, both announced keys are the stored ones', async () => {
    const [a, b] = await Promise.all([
      handlersOn(store).createElection({ theme: 'T', choices: ['a', 'b'], expectedVoters: 1, electionId: 'race-keys' }),
      handlersOn(store).createElection({ theme: 'T', choices: ['a', 'b'], expectedVoters: 1, electionId: 'race-keys' }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    expect([a, b].find((r) => !r.ok)).toMatchObject({ error: { code: 'ELECTION_ALREADY_EXISTS' } });
    const [created] = await eventsOf('race-keys');
    const stored = privateKeyFromPkcs8((await keyStore.get(keyNames.counter('race-keys')))!);
    expect((created!.data as { ballotPublicKey: string }).ballotPublicKey).toBe(rsaSpkiBase64url(stored));
  });

  it('refuses registration on an unknown election without creating a PII key', async () => {
    const h = handlersOn(store);
    expect(errorOf(await h.registerVoter({ electionId: 'ghost', email: 'a@example.org' })).code).toBe('ELECTION_NOT_FOUND');
    expect(await keyStore.get(keyNames.pii('ghost'))).toBeUndefined();
  });

  it('an invalid address is refused before anything is protected, and never echoed', async () => {
    const h = handlersOn(store);
    const electionId = await newElection(h);
    const err = errorOf(await h.registerVoter({ electionId, email: 'secret person@example.org' }));
    expect(err.code).toBe('INVALID_EMAIL');
    expect(JSON.stringify(err)).not.toContain('secret');
    const csvErr = errorOf(await h.importVoters({ electionId, csv: csvOf(['a@example.org', 'private bad@example.org']) }));
    expect(csvErr).toMatchObject({ code: 'INVALID_EMAIL', details: { line: 3 } });
    expect(JSON.stringify(csvErr)).not.toContain('private');
  });
});
