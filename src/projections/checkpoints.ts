/**
 * The checkpoint table, written only in the transaction that writes the projection's rows.
 */
import type { SqlExecutor } from '../sql/client.ts';

export const CHECKPOINT_TABLE = 'evote_projection_checkpoints';

export async function ensureCheckpoint(db: SqlExecutor, name: string): Promise<void> {
  await db.query(`INSERT INTO ${CHECKPOINT_TABLE} (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [name]);
}

export async function readCheckpoint(db: SqlExecutor, name: string): Promise<number> {
  const { rows } = await db.query<{ position: number | string }>(`SELECT position FROM ${CHECKPOINT_TABLE} WHERE name = $1`, [name]);
  return rows[0] ? Number(rows[0].position) : 0;
}

/** Locks the row until the transaction ends: concurrent runners of the same projection queue here. */
export async function lockCheckpoint(tx: SqlExecutor, name: string): Promise<number> {
  const { rows } = await tx.query<{ position: number | string }>(`SELECT position FROM ${CHECKPOINT_TABLE} WHERE name = $1 FOR UPDATE`, [name]);
  if (!rows[0]) throw new Error(`projection ${name}: checkpoint row missing (start not run)`);
  return Number(rows[0].position);
}

export async function writeCheckpoint(tx: SqlExecutor, name: string, position: number): Promise<void> {
  await tx.query(`UPDATE ${CHECKPOINT_TABLE} SET position = $2 WHERE name = $1`, [name, position]);
}
