/**
 * Informal throughput figures (run with EVOTE_MEASURE=1; skipped otherwise): raw RSA-2048 private
 * operations/s, blind signatures/s through the command, and casts/s through the real gateway over 50
 * connections, measured in the same process so the ratios mean something.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { createBlindSigner } from '../../src/commands/blind-sign.ts';
import { generateRsaKeyPair, rsaRawPrivate } from '../../src/crypto/rsa.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { electionStreamId, type ElectionCreated, type VoterRegistered } from '../../src/domain/election-events.ts';
import { importPublicKey, prepareBallot } from '../../src/client/voter-ballot.ts';
import { createElectionStatusCache } from '../../src/projections/ballot-queries.ts';
import { mintCredentials } from './fixture.ts';
import { startTestCluster, voterCsv } from '../support/system.ts';

const VOTERS = Number(process.env.EVOTE_MEASURE_VOTERS ?? 5000);

describe.skipIf(!process.env.EVOTE_MEASURE)('throughput (informal)', () => {
  it('measures raw RSA, blind signing and casting', async () => {
    const { privateKey } = generateRsaKeyPair(2048);
    const x = new Uint8Array(randomBytes(256));
    x[0] = 0x01;
    let t = performance.now();
    const RAW = 2000;
    for (let i = 0; i < RAW; i++) rsaRawPrivate(privateKey, x);
    const rawPerS = RAW / ((performance.now() - t) / 1000);

    const cluster = await startTestCluster({ processes: 1 });
    const system = cluster.systems[0]!;
    try {
      const token = cluster.adminToken;
      const admin = await EvoteConnection.connect(system.gateway!.url);
      const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Bench', choices: ['A', 'B'], expectedVoters: VOTERS + 1 }, { token });
      await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(VOTERS + 1) }, { token });
      await admin.request('command', 'election.start', { electionId }, { token });
      const events = await system.store.readStream(electionStreamId(electionId));
      const created = events[0]!.data as ElectionCreated['data'];
      const voterIds = events.filter((e) => e.type === 'VoterRegistered').map((e) => (e.data as VoterRegistered['data']).voterId);
      const authorityPublicKey = importPublicKey(created.authorityPublicKey);

      const signer = createBlindSigner({
        store: system.store,
        keyStore: system.keyStore,
        electionStatus: createElectionStatusCache((id) => system.queries.getElection(id)),
        now: () => new Date(),
      });
      const SIGN = Math.min(2000, VOTERS);
      const blinded = voterIds.slice(0, SIGN).map(() => prepareBallot({ electionId, choice: 'A', n2: 'AAAAAAAAAAAAAAAAAAAAAA', authorityPublicKey }).blindedMessage);
      t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < SIGN) {
            const i = next++;
            const r = await signer.blindSign({ electionId, voterId: voterIds[i]!, clientId: 'bench' }, { electionId, blindedMessage: blinded[i]! });
            if (!r.ok) throw new Error(r.error.code);
          }
        }),
      );
      const signPerS = SIGN / ((performance.now() - t) / 1000);

      const tokens = await mintCredentials(system.store, electionId, VOTERS);
      const ballotKey = importPublicKey(created.ballotPublicKey);
      const ciphertexts = tokens.map(() => encryptBallotToText(ballotKey, electionId, new Uint8Array(600)));
      const conns = await Promise.all(Array.from({ length: 50 }, () => EvoteConnection.connect(system.gateway!.url)));
      t = performance.now();
      let c = 0;
      await Promise.all(
        conns.map(async (conn) => {
          while (c < VOTERS) {
            const i = c++;
            await conn.request('command', 'ballot.cast', { electionId, n1: tokens[i]!.n1, ciphertext: ciphertexts[i] });
          }
        }),
      );
      const castPerS = VOTERS / ((performance.now() - t) / 1000);
      await Promise.all(conns.map((x) => x.close()));
      await admin.close();
      console.log(
        JSON.stringify({ rawRsaPrivatePerS: Math.round(rawPerS), blindSignaturesPerS: Math.round(signPerS), signRatio: +(signPerS / rawPerS).toFixed(2), castsPerS: Math.round(castPerS), casts: VOTERS }),
      );
      expect(castPerS).toBeGreaterThan(0);
    } finally {
      await cluster.close();
    }
  }, 600_000);
});
