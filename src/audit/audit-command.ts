/** An audit of a file or a database: prints the report and returns its `evote` exit code. */
import type { Writable } from 'node:stream';
import type { EventStore } from '../eventstore/port.ts';
import { auditExitCode, formatReport, type AuditReport } from './report.ts';
import { verifyFromFile, verifyFromStore, type VerifyOptions } from './verify.ts';

export interface AuditCommandInput {
  /** An exported NDJSON file, or a PostgreSQL URL (then `electionId` is required). */
  from: string;
  electionId?: string;
  json?: boolean;
  out?: Pick<Writable, 'write'>;
  onProgress?: VerifyOptions['onProgress'];
  live?: boolean;
  fingerprint?: string;
  witnesses?: VerifyOptions['witnesses'];
}

const isDatabaseUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

async function withStore<T>(url: string, fn: (store: EventStore) => Promise<T>): Promise<T> {
// Loaded only for a database, so an audit of a file starts sooner.
  const [{ createPgClient }, { createSqlEventStore }] = await Promise.all([import('../sql/client.ts'), import('../eventstore/sql-event-store.ts')]);
  const sql = createPgClient(url, { max: 2 });
  try {
    return await fn(await createSqlEventStore(sql));
  } finally {
    await sql.close();
  }
}

export async function runAuditCommand(input: AuditCommandInput): Promise<{ exitCode: number; report: AuditReport }> {
  const out = input.out ?? process.stdout;
  const opts: VerifyOptions = { onProgress: input.onProgress, live: input.live, fingerprint: input.fingerprint, witnesses: input.witnesses };
  let report: AuditReport;
  if (isDatabaseUrl(input.from)) {
    const electionId = input.electionId;
    if (!electionId) throw new Error('--election is required when auditing from a database');
    report = await withStore(input.from, (store) => verifyFromStore(store, electionId, opts));
  } else {
    report = await verifyFromFile(input.from, opts);
  }
  out.write((input.json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
  return { exitCode: auditExitCode(report.verdict), report };
}

