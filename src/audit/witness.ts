/** A witness over any source of checkpoints: judge, then co-sign and save; a refusal leaves the state as it was. */
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { signCosignature, type Cosignature, type WitnessSigner } from './cosignature.ts';
import { judgeCheckpoint, type Offered, type Refusal, type WitnessedLog } from './witness-core.ts';
import { saveWitnessState, type WitnessStateFile } from './witness-state.ts';

export interface WitnessOptions {
  signer: WitnessSigner;
  statePath: string;
  state: WitnessStateFile;
  now?: () => Date;
}

export type Outcome = { ok: true; cosignature: Cosignature } | { ok: false; refusal: Refusal };

export interface Witness {
  lastSize(electionId: string): number;
  last(electionId: string): WitnessedLog | undefined;
  /** `proof(from, to)` is asked only when the checkpoint is larger than the last co-signed one. */
  /** `fingerprint`: the election's, checked by the caller (src/audit/witness-pin.ts): kept in the state. */
  offer(cp: Offered, logPublicKey: string, proof: (from: number, to: number) => Promise<readonly Uint8Array[]>, fingerprint?: string): Promise<Outcome>;
}

export function createWitness(opts: WitnessOptions): Witness {
  const now = opts.now ?? (() => new Date());
  return {
    lastSize: (electionId) => opts.state.logs[electionId]?.size ?? 0,
    last: (electionId) => opts.state.logs[electionId],
    async offer(cp, logPublicKey, proof, fingerprint) {
      const last = opts.state.logs[cp.electionId];
      const path = last && cp.size > last.size ? await proof(last.size, cp.size) : [];
      const refusal = judgeCheckpoint(nodePrimitives, last, logPublicKey, cp, path);
      if (refusal) return { ok: false, refusal };
      const time = Math.floor(now().getTime() / 1000);
      const cosignature = signCosignature(opts.signer, cp, time);
      const pinned = fingerprint ?? last?.fingerprint;
      opts.state.logs[cp.electionId] = { logPublicKey, size: cp.size, root: cp.root, lastPosition: cp.lastPosition, time, ...(pinned && { fingerprint: pinned }) };
      await saveWitnessState(opts.statePath, opts.state);
      return { ok: true, cosignature };
    },
  };
}
