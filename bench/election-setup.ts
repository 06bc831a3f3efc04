/**
 * Bench set-up shared by the voter benchmarks: an election in VOTE_STARTED with `voters` registered
 * voters, created through the real gateway as an admin would, plus direct access to the store and
 * key store to plant credentials without mailing them (mailing is measured on its own in letters.ts).
 */
import { EvoteConnection } from '../src/client/connection.ts';
import type { ClientApp } from '../src/client/client-login.ts';
import type { ElectionCreated, VoterRegistered } from '../src/domain/election-events.ts';
import type { CredentialMinted } from '../src/domain/credential-events.ts';
import { hashToken, issueTokens } from '../src/credentials/tokens.ts';
import { issueSecretCode } from '../src/credentials/secret-code.ts';
import { keyNames, type KeyStore } from '../src/keystore/port.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { credentialStreamId, electionStreamId } from '../src/domain/streams.ts';

export interface BenchSystem {
  /** ws://host:port/ws of the gateway under test. */
  url: string;
  adminToken: string;
  store: EventStore;
  keyStore: KeyStore;
}

export interface BenchElection {
  electionId: string;
  voterIds: string[];
  created: ElectionCreated['data'];
}

export async function startedElection(sys: BenchSystem, voters: number, expectedVoters = voters + 1): Promise<BenchElection> {
  const admin = await EvoteConnection.connect(sys.url);
  try {
    const token = sys.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Bench', choices: ['A', 'B'], expectedVoters }, { token });
    const csv = ['name,email', ...Array.from({ length: voters }, (_, i) => `Voter ${i},voter${i}@bench.example`)].join('\n') + '\n';
    await admin.request('command', 'election.importVoters', { electionId, csv, batchSize: 1_000 }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const events = await sys.store.readStream(electionStreamId(electionId));
    const created = events[0]!.data as ElectionCreated['data'];
    const voterIds = events.filter((e) => e.type === 'VoterRegistered').map((e) => (e.data as VoterRegistered['data']).voterId);
    return { electionId, voterIds, created };
  } finally {
    await admin.close();
  }
}

export async function registerClientApp(sys: BenchSystem): Promise<ClientApp> {
  const admin = await EvoteConnection.connect(sys.url);
  try {
    return await admin.request<ClientApp>('command', 'clients.register', { name: 'Bench app' }, { token: sys.adminToken });
  } finally {
    await admin.close();
  }
}

/** Secret codes for the voters, straight into the key store (as issuance does after delivery). */
export async function plantSecretCodes(sys: BenchSystem, electionId: string, voterIds: string[]): Promise<string[]> {
  const codes = voterIds.map(() => issueSecretCode());
  await sys.keyStore.putMany(voterIds.map((voterId, i) => ({ name: keyNames.credential(electionId, voterId), secret: codes[i]!.stored })));
  return codes.map((c) => c.secretCode);
}

/** Minted credentials (N1, N2), appended as issuance appends them. */
export async function mintCredentials(store: EventStore, electionId: string, count: number): Promise<{ n1: string; n2: string }[]> {
  const tokens = Array.from({ length: count }, () => issueTokens());
  for (let i = 0; i < tokens.length; i += 1_000) {
    await store.appendMany(
      tokens.slice(i, i + 1_000).map(({ n1, n2 }) => {
        const hashN1 = hashToken(n1) as string;
        const minted: CredentialMinted = { type: 'CredentialMinted', data: { electionId, hashN1, hashN2: hashToken(n2) as string } };
        return { streamId: credentialStreamId(electionId, hashN1), events: [minted], expectedRevision: 'no_stream' as const };
      }),
    );
  }
  return tokens;
}

/** Runs `fn(i)` for i in 0..total-1 over `workers` concurrent loops. */
export async function spread(total: number, workers: number, fn: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, total) }, async (_, w) => {
      for (let i = next++; i < total; i = next++) await fn(i, w);
    }),
  );
}

/** Calls fn for about `ms` milliseconds and returns calls per second. */
export function opsPerSecond(ms: number, fn: () => void): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}
