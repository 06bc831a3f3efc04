/** A witness following an election's log live; the first refusal ends the run (docs/witnesses.md, "Running a witness"). */
import type { ElectionCreated } from '../domain/election-events.ts';
import type { CheckpointLine, EventLine } from '../audit/log-lines.ts';
import type { Cosignature } from '../audit/cosignature.ts';
import type { Refusal } from '../audit/witness-core.ts';
import type { Witness } from '../audit/witness.ts';
import { ElectionPin } from '../audit/witness-pin.ts';
import { fromHex } from '../crypto/bytes.ts';
import { EvoteError, type EvoteConnection, type Push } from './connection.ts';

export interface LiveWitnessOptions {
  untilTally?: boolean;
  signal?: AbortSignal;
  onCosigned?(c: Cosignature, submitted: { duplicate: boolean } | { error: string }): void;
  /** Co-sign nothing unless the election has this fingerprint (src/audit/witness-pin.ts). */
  fingerprint?: string;
}

export interface LiveWitnessed {
  cosigned: number;
  submitErrors: number;
  ended: 'tally' | 'aborted' | 'refused' | 'failed';
  refusal?: Refusal & { size: number };
  error?: string;
}

/** The proof may be asked before the read model has the leaves the pushed checkpoint covers: ask again. */
async function consistencyProof(conn: EvoteConnection, electionId: string, from: number, to: number): Promise<Uint8Array[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await conn.request<{ proof: string[] }>('query', 'audit.consistencyProof', { electionId, from, to });
      return r.proof.map((h) => fromHex(h));
    } catch (err) {
      if (!(err instanceof EvoteError && err.code === 'INVALID_PROOF_RANGE' && attempt < 100)) throw err;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

export async function witnessLive(conn: EvoteConnection, electionId: string, witness: Witness, opts: LiveWitnessOptions = {}): Promise<LiveWitnessed> {
  const start = witness.last(electionId);
  let logPublicKey = start?.logPublicKey;
  const pin = new ElectionPin(electionId, opts.fingerprint, start?.fingerprint);
  let tallyLeaf: number | undefined;
  const result: LiveWitnessed = { cosigned: 0, submitErrors: 0, ended: 'aborted' };
  let settle: (r: LiveWitnessed) => void = () => undefined;
  const done = new Promise<LiveWitnessed>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (ended: LiveWitnessed['ended'], extra: Partial<LiveWitnessed> = {}) => {
    if (finished) return;
    finished = true;
    settle(Object.assign(result, { ended }, extra));
  };

  const onCheckpoint = async (c: CheckpointLine) => {
    if (!logPublicKey) return finish('refused', { refusal: { code: 'CHECKPOINT_SIGNATURE', message: 'a checkpoint before ElectionCreated', size: c.data.size } });
    const wrongElection = pin.refusal();
    if (wrongElection) return finish('refused', { refusal: { ...wrongElection, size: c.data.size } });
    const outcome = await witness.offer(c.data, logPublicKey, (from, to) => consistencyProof(conn, electionId, from, to), opts.fingerprint);
    if (!outcome.ok) return finish('refused', { refusal: { ...outcome.refusal, size: c.data.size } });
    result.cosigned++;
    const submitted = await conn.request<{ duplicate: boolean }>('command', 'witness.cosign', outcome.cosignature).catch((err: unknown) => ({ error: err instanceof EvoteError ? `${err.code}: ${err.message}` : String(err) }));
    if ('error' in submitted) result.submitErrors++;
    opts.onCosigned?.(outcome.cosignature, submitted);
    if (opts.untilTally && tallyLeaf !== undefined && c.data.size > tallyLeaf) finish('tally');
  };

  let queue = Promise.resolve();
  const onPush = (p: Push) => {
    if (finished) return;
    if (p.name === 'audit.event') {
      const e = p.payload as EventLine;
      pin.see(e);
      if (e.leafIndex === 0 && e.type === 'ElectionCreated') logPublicKey ??= (e.data as ElectionCreated['data']).logPublicKey;
      if (e.type === 'TallyPublished') tallyLeaf = e.leafIndex;
    } else if (p.name === 'audit.checkpoint') {
      const c = p.payload as CheckpointLine;
      queue = queue.then(() => (finished ? undefined : onCheckpoint(c))).catch((err: unknown) => finish('failed', { error: err instanceof Error ? err.message : String(err) }));
    }
  };
  const abort = () => finish('aborted');
  opts.signal?.addEventListener('abort', abort, { once: true });
  const { subscription } = await conn.subscribe('audit.follow', { electionId, after: start?.lastPosition ?? 0 }, onPush);
  try {
    return await done;
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await conn.unsubscribe('audit.follow', subscription).catch(() => undefined);
  }
}
