/**
 * Projection throughput: 100,000 VoterRegistered events already in the log, folded from zero into
 * the `elections` and `voters` read models by the real runner.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { emailHmac, encryptEmail } from '../src/keystore/pii.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import type { SqlClient } from '../src/sql/client.ts';
import { createProjectionRunner } from '../src/projections/runner.ts';
import { defaultProjections } from '../src/projections/index.ts';
import { silentLogger } from '../src/runtime/log.ts';
import type { BenchResult } from './harness.ts';
import { measure } from './harness.ts';

export async function projectionThroughput(store: EventStore, sql: SqlClient, voters = 100_000): Promise<BenchResult> {
  const electionId = randomUUID();
  const stream = `election-${electionId}`;
  const now = new Date().toISOString();
  const piiKey = new Uint8Array(randomBytes(32));
  const keys = { authorityPublicKey: 'bench', ballotPublicKey: 'bench', logPublicKey: 'bench' };
  await store.append(stream, [{ type: 'ElectionCreated', data: { electionId, theme: 'bench', choices: ['a', 'b'], expectedVoters: voters, createdAt: now, ...keys } }], {
    expectedRevision: 'no_stream',
  });
  for (let b = 0; b < voters / 1_000; b++) {
    const events = Array.from({ length: 1_000 }, (_, i) => ({
      type: 'VoterRegistered',
      data: (() => {
        const email = `v${b * 1_000 + i}@bench.example`;
        return { electionId, voterId: randomUUID(), emailHmac: emailHmac(piiKey, email), emailEncrypted: encryptEmail(piiKey, electionId, email), registeredAt: now };
      })(),
    }));
    await store.append(stream, events, { expectedRevision: b * 1_000 });
  }
  const head = await store.headPosition();
  const runner = createProjectionRunner({ store, sql, projections: defaultProjections(), log: silentLogger });
  const { rate } = await measure(async () => {
    await runner.start();
    await runner.waitFor(head, 300_000);
    return voters + 1;
  });
  await runner.stop();
  return { name: 'projection catch-up into elections + voters', rate, unit: 'events', note: `${voters.toLocaleString('en-US')} events` };
}
