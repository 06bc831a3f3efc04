/** The auditor's witness policy, `--witness … --min-witnesses m` (docs/witnesses.md, "What the audit checks"). */
import type { CryptoPrimitives } from '../crypto/primitives.ts';
import { cosignatureFault, type WitnessKey } from './cosignature-core.ts';
import type { CosignatureLine } from './log-lines.ts';
import type { AuditFailure } from './report.ts';

export interface WitnessPolicy {
  /** None: the witnesses the election names in ElectionCreated. */
  keys: readonly WitnessKey[];
  /** Co-signatures needed on the final checkpoint, 1..keys.length. */
  min: number;
}

export interface WitnessCheckInput {
  crypto: CryptoPrimitives;
  policy: WitnessPolicy;
  cosignatures: readonly { line: number; c: CosignatureLine }[];
  head: { size: number; root: string } | null;
  leaves: number;
  published: boolean;
  live: boolean;
  /** Hex root of the log's first `size` leaves, undefined past its end. */
  rootAt(size: number): string | undefined;
}

export interface WitnessVerdict {
  failures: AuditFailure[];
  cosignedFinal: string[];
}

const at = (check: string, message: string, l?: { line: number; c: CosignatureLine }): AuditFailure => ({
  check,
  message,
  position: l?.c.position ?? null,
  streamId: l?.c.streamId ?? null,
  type: l?.c.type ?? null,
  ...(l && { line: l.line }),
});

export function checkWitnesses(input: WitnessCheckInput): WitnessVerdict {
  const trusted = new Map(input.policy.keys.map((k) => [`${k.name} ${k.publicKey}`, k]));
  const failures: AuditFailure[] = [];
  const cosignedFinal = new Set<string>();
  const head = input.head;
  for (const l of input.cosignatures) {
    const c = l.c.data;
    if (!trusted.has(`${c.name} ${c.publicKey}`)) continue;
    const fault = cosignatureFault(input.crypto, c);
    if (fault) {
      failures.push(at('WITNESS_COSIGNATURE', `the co-signature of trusted witness ${c.name} does not verify (${fault})`, l));
      continue;
    }
    if (c.size > input.leaves) {
      failures.push(at('WITNESS_AHEAD', `trusted witness ${c.name} co-signed a log of ${c.size} events, this one holds ${input.leaves}: its tail was cut`, l));
    } else if (input.rootAt(c.size) !== c.root) {
      failures.push(at('WITNESS_SPLIT_VIEW', `trusted witness ${c.name} co-signed another root for size ${c.size}: the server showed it another history`, l));
    } else if (head && c.size === head.size && c.root === head.root) cosignedFinal.add(c.name);
  }
  const final = head !== null && head.size === input.leaves && (input.live || input.published);
  if (!final) {
    const why = !head ? 'the log has no verified checkpoint' : head.size !== input.leaves ? `the last checkpoint covers ${head.size} of ${input.leaves} events` : 'the log ends before TallyPublished';
    failures.push(at('WITNESS_FINAL_CHECKPOINT', `no final checkpoint to hold the witnesses to: ${why}`));
  } else if (cosignedFinal.size < input.policy.min) {
    const missing = input.policy.keys.filter((k) => !cosignedFinal.has(k.name)).map((k) => k.name);
    failures.push(at('WITNESS_QUORUM', `the final checkpoint (size ${head.size}) carries ${cosignedFinal.size} valid co-signature(s) of the ${input.policy.min} required; none from ${missing.join(', ')}`));
  }
  return { failures, cosignedFinal: [...cosignedFinal] };
}
