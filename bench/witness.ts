/**
 * Witness costs (docs/witnesses.md), CPU only: co-signing and verifying a cosignature/v1 against raw
 * Ed25519 sign/verify, and a witness's whole step (log signature, consistency proof, co-signature,
 * state file rewritten) against raw verify, all in the same run.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { against, measure, type BenchResult } from './harness.ts';
import { generateWitnessKey, signCosignature, verifyCosignature, witnessSignerOf } from '../src/audit/cosignature.ts';
import { rawLogPublicKey, signCheckpoint } from '../src/audit/checkpoint.ts';
import { createWitness } from '../src/audit/witness.ts';
import { MerkleTree } from '../src/crypto/merkle-tree.ts';
import { leafHash } from '../src/crypto/merkle.ts';

export async function witnessBench(n: number): Promise<BenchResult[]> {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const raw = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(120, 7);
  const rawSig = sign(null, message, raw.privateKey);
  const rawSign = await measure(async () => {
    for (let i = 0; i < n; i++) sign(null, message, raw.privateKey);
    return n;
  });
  const rawVerify = await measure(async () => {
    for (let i = 0; i < n; i++) verify(null, message, raw.publicKey, rawSig);
    return n;
  });
  const signLimit: BenchResult = { name: 'raw Ed25519 sign (node:crypto)', rate: rawSign.rate, unit: 'signatures' };
  const verifyLimit: BenchResult = { name: 'raw Ed25519 verify (node:crypto)', rate: rawVerify.rate, unit: 'verifications' };

  const signer = witnessSignerOf(generateWitnessKey('bench.example/w1'))!;
  const head = { electionId: 'bench', size: 123_456, root: hex(leafHash(Buffer.from('root'))) };
  const cosigned = await measure(async () => {
    for (let i = 0; i < n; i++) signCosignature(signer, head, 1_700_000_000 + i);
    return n;
  });
  const one = signCosignature(signer, head, 1_700_000_000);
  const verified = await measure(async () => {
    for (let i = 0; i < n; i++) if (verifyCosignature(one)) throw new Error('a good co-signature did not verify');
    return n;
  });

  // A witness following a log of 1,000 events per checkpoint: each step checks the log's signature
  // and a consistency proof, co-signs, and rewrites its state file.
  const log = generateKeyPairSync('ed25519');
  const tree = new MerkleTree();
  const steps = Math.min(n, 500);
  for (let i = 0; i < steps * 1000; i++) tree.append(leafHash(Buffer.from(`event ${i}`)));
  const checkpoints = Array.from({ length: steps }, (_, i) => {
    const body = { electionId: 'bench', size: (i + 1) * 1000, root: hex(tree.root((i + 1) * 1000)), lastPosition: (i + 1) * 1000 };
    return { ...body, signature: signCheckpoint(log.privateKey, body) };
  });
  const proofs = checkpoints.map((c, i) => (i === 0 ? [] : tree.consistencyProof(i * 1000, c.size)));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'evote-witness-bench-'));
  try {
    const w = createWitness({ signer, statePath: path.join(dir, 'state.json'), state: { format: 'evote-witness-state/v1', logs: {} } });
    const logKey = rawLogPublicKey(log.publicKey);
    const stepped = await measure(async () => {
      for (let i = 0; i < steps; i++) {
        const out = await w.offer(checkpoints[i]!, logKey, async () => proofs[i]!);
        if (!out.ok) throw new Error(out.refusal.message);
      }
      return steps;
    });
    return [
      signLimit,
      verifyLimit,
      against({ name: 'cosignature/v1 co-signed', rate: cosigned.rate, unit: 'co-signatures' }, signLimit),
      against({ name: 'cosignature/v1 verified', rate: verified.rate, unit: 'co-signatures' }, verifyLimit),
      against({ name: 'witness step (log signature + consistency proof + co-sign + state file)', rate: stepped.rate, unit: 'checkpoints' }, verifyLimit),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
