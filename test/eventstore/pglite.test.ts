import { createScratchPglite } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { eventStoreContract } from './contract.ts';

// One in-memory PGlite for the whole file: it takes seconds to start.
eventStoreContract('pglite', async () => {
  const sql = await createScratchPglite();
  const store = await createSqlEventStore(sql, { pollIntervalMs: 200 });
  return { store, cleanup: () => sql.close() };
});
