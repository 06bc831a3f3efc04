/** A witness over an exported log, with proofs from the tree of its events (docs/witnesses.md, "Running a witness"). */
import { entryLeafHash } from '../domain/log-entry.ts';
import type { ElectionCreated } from '../domain/election-events.ts';
import { MerkleTree } from '../crypto/merkle-tree.ts';
import { toHex } from '../crypto/bytes.ts';
import { isCheckpointLine, isHeaderLine, type CheckpointLine, type EventLine, type LogLine } from './log-lines.ts';
import type { Cosignature } from './cosignature.ts';
import type { Refusal } from './witness-core.ts';
import { ElectionPin } from './witness-pin.ts';
import type { Witness } from './witness.ts';

export interface ExportWitnessed {
  electionId: string | null;
  cosignatures: Cosignature[];
  refusal?: Refusal & { size: number };
}

const refuse = (r: ExportWitnessed, code: Refusal['code'], message: string, size: number): ExportWitnessed => ({ ...r, refusal: { code, message, size } });

/** `lines`: the export's lines (batches of text lines, as ndjsonLineBatches gives). */
/** `fingerprint`: co-sign nothing unless the election the export creates has it. */
export async function witnessExport(witness: Witness, lines: AsyncIterable<string[]>, fingerprint?: string): Promise<ExportWitnessed> {
  const tree = new MerkleTree();
  const result: ExportWitnessed = { electionId: null, cosignatures: [] };
  let logPublicKey: string | undefined;
  let lastOffered = 0;
  let pin: ElectionPin | undefined;
  const offer = async (c: CheckpointLine): Promise<ExportWitnessed | undefined> => {
    const d = c.data;
    const eid = result.electionId as string;
    if (!logPublicKey || d.electionId !== eid) return refuse(result, 'CHECKPOINT_SIGNATURE', `checkpoint of size ${d.size} is not of election ${eid}'s log`, d.size);
    if (!(Number.isSafeInteger(d.size) && d.size >= 1 && d.size <= tree.size) || toHex(tree.root(d.size)) !== d.root) {
      return refuse(result, 'CHECKPOINT_ROOT', `checkpoint of size ${d.size}: its root is not the Merkle root of the export's events`, d.size);
    }
    const wrongElection = pin?.refusal();
    if (wrongElection) return refuse(result, wrongElection.code, wrongElection.message, d.size);
    lastOffered = d.size;
    // Checkpoints below what this witness already co-signed are history it vouched for: the proof from there covers them.
    if (d.size < witness.lastSize(eid)) return undefined;
    const outcome = await witness.offer(d, logPublicKey, async (from, to) => tree.consistencyProof(from, to), pin?.expected);
    if (!outcome.ok) return refuse(result, outcome.refusal.code, outcome.refusal.message, d.size);
    result.cosignatures.push(outcome.cosignature);
    return undefined;
  };
  for await (const batch of lines) {
    for (const text of batch) {
      if (text === '') continue;
      const line = JSON.parse(text) as LogLine;
      if (isHeaderLine(line)) {
        result.electionId = line.electionId;
        pin = new ElectionPin(line.electionId, fingerprint);
        continue;
      }
      if (isCheckpointLine(line)) {
        const refused = await offer(line);
        if (refused) return refused;
        continue;
      }
      if (line.type === 'CheckpointCosigned') continue;
      const e = line as EventLine;
      pin?.see(e);
      if (tree.size === 0 && e.type === 'ElectionCreated') logPublicKey = (e.data as ElectionCreated['data']).logPublicKey;
      tree.append(entryLeafHash(e));
    }
  }
  const eid = result.electionId;
  const last = eid ? witness.lastSize(eid) : 0;
  if (eid && lastOffered < last) return refuse(result, 'CHECKPOINT_ROLLBACK', `the export's last checkpoint has size ${lastOffered}, smaller than the size ${last} this witness co-signed: the log was cut`, lastOffered);
  return result;
}
