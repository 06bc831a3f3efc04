/** The shape of one schema migration, as knex's migrator runs it (inside the batch's transaction). */
import type { Knex } from 'knex';

export interface Migration {
  /** Recorded in knex_migrations; `NNNN_what`, numbered from 0001 without gaps. */
  readonly name: string;
  up(knex: Knex): Promise<void>;
  /** knex requires one; ours refuse (forward only: an operator restores a backup instead). */
  down(knex: Knex): Promise<void>;
}

/** Runs plain SQL statements in order. `?` is escaped: knex would read it as a binding. */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await knex.raw(statement.replaceAll('?', '\\?'));
}

/** A forward-only migration of plain SQL statements: `down` refuses, restoring a backup is the way back. */
export function sqlMigration(name: string, statements: readonly string[]): Migration {
  return {
    name,
    async up(knex: Knex) {
      await runStatements(knex, statements);
    },
    async down() {
      throw new Error(`${name} cannot be undone: restore a backup taken before the upgrade`);
    },
  };
}
