/**
 * The tally's opening step for a 2-of-3 trustee election against a single-key election on the same
 * number of ballots, in this run (docs/trustees.md "The tally"): two trustees' partials on the
 * trustee pool, then the tally workers opening every ballot from them, next to the same workers
 * opening with the counter's key. No database: the step that differs, not the appends around it.
 */
import { constants, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { bytesToBigInt } from '../src/crypto/bytes.ts';
import { prepare, RSABSSA_SALT_BYTES } from '../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../src/crypto/ballot-plaintext.ts';
import { decodeBallotCiphertext, encryptBallotToText } from '../src/crypto/ballot-encryption.ts';
import { generateRsaKeyPair } from '../src/crypto/rsa.ts';
import { dealThresholdKey, encodeThresholdParams, type TrusteeShare } from '../src/crypto/threshold-rsa.ts';
import { createPartialDecryptionPool } from '../src/tally/trustee-pool.ts';
import { createTallyPool, type TallyPool } from '../src/tally/pool.ts';
import { partialValueToText } from '../src/tally/partial-text.ts';
import type { StoredPartial } from '../src/tally/trustee-partials-store.ts';
import { against, type BenchResult } from './harness.ts';

const ELECTION = 'bench-trustee-tally';
const CHUNK = 256;

function ballotsFor(ballotKey: KeyObject, authority: KeyObject, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const prepared = prepare(encodeBallotMessage({ electionId: ELECTION, choice: i % 2 ? 'Yes' : 'No', n2Commitment: i.toString(16).padStart(64, '0') }));
    const signature = new Uint8Array(sign('sha384', prepared, { key: authority, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES }));
    return encryptBallotToText(ballotKey, ELECTION, encodeBallotPlaintext({ preparedMessage: prepared, signature }));
  });
}

async function timeOpening(pool: TallyPool, open: (from: number, to: number) => Promise<unknown>, count: number): Promise<number> {
  const t0 = performance.now();
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += CHUNK) chunks.push(open(i, Math.min(count, i + CHUNK)));
  await Promise.all(chunks);
  await pool.close();
  return (performance.now() - t0) / 1000;
}

export async function trusteeTallyBench(count = 2_000): Promise<BenchResult[]> {
  const threads = availableParallelism();
  const dealt = await dealThresholdKey({ bits: 2048, k: 2, l: 3 });
  const thresholdKey = createPublicKey({ key: Buffer.from(dealt.publicKeySpki), format: 'der', type: 'spki' });
  const single = generateRsaKeyPair(2048);
  const authority = generateRsaKeyPair(2048);
  const authoritySpki = new Uint8Array(authority.publicKey.export({ format: 'der', type: 'spki' }));
  const trusteeBallots = ballotsFor(thresholdKey, authority.privateKey, count);
  const singleBallots = ballotsFor(single.publicKey, authority.privateKey, count);

  // Two trustees, one after the other, each on every core (as on their own machines).
  const c0s = trusteeBallots.map((b) => {
    const d = decodeBallotCiphertext(b);
    if (!d.ok) throw new Error('bench ballot does not decode');
    return bytesToBigInt(d.value.c0);
  });
  const partials: StoredPartial[][] = trusteeBallots.map(() => []);
  const trusteePool = await createPartialDecryptionPool({ threads });
  const t0 = performance.now();
  for (const share of dealt.shares.slice(0, 2) as TrusteeShare[]) {
    const r = await trusteePool.decryptAll(dealt.params, share, c0s);
    if (!r.ok) throw new Error(r.error.message);
    // The pool's batches are consecutive and in order: ballot i is batch ⌊i/64⌋'s value i mod 64.
    r.value.flatMap((batch) => batch.xs).forEach((x, i) => partials[i]?.push({ trusteeIndex: share.index, partial: partialValueToText(dealt.params, { index: share.index, x }), batchId: null }));
  }
  const trusteeSeconds = (performance.now() - t0) / 1000;
  await trusteePool.close();

  const singlePool = await createTallyPool({ electionId: ELECTION, size: threads, counterPrivateKeyPkcs8: new Uint8Array(single.privateKey.export({ format: 'der', type: 'pkcs8' })), authorityPublicKeySpki: authoritySpki });
  const singleSeconds = await timeOpening(singlePool, (a, b) => singlePool.open(singleBallots.slice(a, b)), count);
  const params = encodeThresholdParams(dealt.params);
  const thresholdPool = await createTallyPool({ electionId: ELECTION, size: threads, threshold: { params, ballotPublicKeySpki: dealt.publicKeySpki }, authorityPublicKeySpki: authoritySpki });
  let opened = 0;
  const thresholdSeconds = await timeOpening(
    thresholdPool,
    async (a, b) => {
      const reply = await thresholdPool.openWithPartials(trusteeBallots.slice(a, b), partials.slice(a, b));
      opened += reply.ballots.filter((x) => x.kind === 'opened').length;
    },
    count,
  );
  if (opened !== count) throw new Error(`only ${opened} of ${count} trustee ballots opened`);

  const singleRate: BenchResult = { name: `tally opening, single key (${threads} workers, ${count} ballots)`, rate: count / singleSeconds, unit: 'ballots' };
  return [
    against({ name: `trustee partial decryptions, 2 trustees in turn (${threads} threads each)`, rate: (2 * count) / trusteeSeconds, unit: 'partials', note: `${(trusteeSeconds / 2).toFixed(1)} s per trustee for ${count} ballots` }, singleRate),
    singleRate,
    against({ name: `tally opening, 2-of-3 trustees from stored partials (${threads} workers)`, rate: count / thresholdSeconds, unit: 'ballots' }, singleRate),
  ];
}
