/**
 * An election's exported log as a server really signs it: the fixture (election-fixture.ts)
 * written to a scratch PostgreSQL database, the transparency-log projection and the checkpointer
 * running over it, then `exportLog`. Also `resign`, what a server holding some log key can do:
 * rebuild a history's leaves, checkpoints and signatures so that it verifies on its own.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { createProjectionRunner } from '../../src/projections/runner.ts';
import { transparencyLogProjection } from '../../src/projections/transparency-log-projection.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { createCheckpointer } from '../../src/audit/checkpointer.ts';
import { exportLog } from '../../src/audit/export.ts';
import { entryLeafHash } from '../../src/domain/log-entry.ts';
import { MerkleTree } from '../../src/crypto/merkle-tree.ts';
import { rawLogPublicKey, signCheckpoint } from '../../src/audit/checkpoint.ts';
import { writeElection, untilCheckpointed, type Fixture, type FixtureOptions } from './election-fixture.ts';

export type Line = Record<string, unknown> & { type?: string; position?: number; streamId?: string; leafIndex?: number; data?: Record<string, unknown> };

export interface SignedElection {
  fixture: Fixture;
  /** The export's lines, parsed (header first). */
  lines: Line[];
}

/** Writes, signs and exports one election; everything it started is stopped before it returns. */
export async function signedElection(opts: FixtureOptions): Promise<SignedElection> {
  const db = await createScratchPgDatabase();
  const sql: SqlClient = createPgClient(db.url);
  const store = await createSqlEventStore(sql);
  const keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  const runner = createProjectionRunner({ store, sql, projections: [transparencyLogProjection()], log: silentLogger });
  const checkpointer = createCheckpointer({ sql, store, keyStore, log: silentLogger, now: () => new Date(), everyEvents: 100, everyMs: 60_000, pollMs: 50 });
  try {
    await runner.start();
    checkpointer.start();
    const fixture = await writeElection(store, keyStore, opts);
    await runner.waitFor(await store.headPosition(), 30_000);
    await untilCheckpointed(sql, fixture.electionId);
    let text = '';
    const out = new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) });
    await exportLog(store, fixture.electionId, out);
    out.end();
    await finished(out);
    return { fixture, lines: text.trim().split('\n').map((l) => JSON.parse(l) as Line) };
  } finally {
    await checkpointer.stop();
    await runner.stop();
    await sql.close();
    await db.drop();
  }
}

export const serialize = (lines: Line[]) => lines.map((l) => JSON.stringify(l));

/** What a forger with write access to the file can do: recompute the leaf hash of an edited event. */
export function rehash(l: Line): Line {
  l.leafHash = Buffer.from(entryLeafHash(l as never)).toString('hex');
  return l;
}

/**
 * The history `lines` re-signed under a new log key named in its ElectionCreated: leaf indexes,
 * leaf hashes, every checkpoint's size, last position, root and signature recomputed. It verifies
 * on its own, as the server's real history does: only the key's fingerprint tells them apart.
 */
export function resign(lines: Line[], key: KeyObject = generateKeyPairSync('ed25519').privateKey): Line[] {
  const out = lines.map((l) => structuredClone(l));
  const tree = new MerkleTree();
  let lastPosition = -1;
  const electionId = (out[0] as { electionId: string }).electionId;
  for (const l of out.slice(1)) {
    if (l.type === 'LogCheckpointed') {
      const body = { electionId, size: tree.size, root: Buffer.from(tree.root(tree.size)).toString('hex'), lastPosition };
      l.data = { ...l.data, ...body, signature: signCheckpoint(key, body) };
      continue;
    }
    if (l.type === 'ElectionCreated') l.data = { ...l.data, logPublicKey: rawLogPublicKey(key) };
    l.leafIndex = tree.size;
    rehash(l);
    tree.append(Buffer.from(l.leafHash as string, 'hex'));
    lastPosition = l.position as number;
  }
  return out;
}
