/**
 * The independent verifier on Node: re-checks an `evote-log/v1` export (a file, or the store) without
 * trusting the server, with the checks of verify-core.ts on node:crypto and worker threads.
 */
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EventStore } from '../eventstore/port.ts';
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { createAuditPool } from './audit-pool.ts';
import { electionLogLines } from './export.ts';
import { ndjsonLineBatches } from './ndjson-lines.ts';
import type { AuditReport } from './report.ts';
import { verifyLogOn, type AuditPlatform, type VerifierInput, type VerifyOptions } from './verify-core.ts';

export type { VerifierInput, VerifyOptions } from './verify-core.ts';

/** The CLI's platform: OpenSSL for every primitive, worker threads for the pool. */
export const nodeAuditPlatform: AuditPlatform = {
  crypto: nodePrimitives,
  createPool: (size) => createAuditPool(size),
  parallelism: availableParallelism,
};

/** Verifies an export given as lines (text or parsed objects, one by one or in batches), first line the header. */
export function verifyLog(lines: VerifierInput, opts: VerifyOptions = {}): Promise<AuditReport> {
  return verifyLogOn(nodeAuditPlatform, lines, opts);
}

/** Audits the election straight from the event store (the same lines `exportLog` would write). */
export function verifyFromStore(store: EventStore, electionId: string, opts: VerifyOptions = {}): Promise<AuditReport> {
  return verifyLog(electionLogLines(store, electionId), opts);
}

/** Audits an exported NDJSON file. */
export async function verifyFromFile(path: string, opts: VerifyOptions = {}): Promise<AuditReport> {
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await verifyLog(ndjsonLineBatches(input), opts);
  } finally {
    input.destroy();
  }
}
