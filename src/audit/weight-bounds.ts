/**
 * The audit's weighted-election check (docs/audit.md "Weight classes"): per class, the VALID ballots
 * signed under its key are at most the blind signatures issued in it, so the weight cast is at most
 * the weight signed. A key used past its class's signatures is named by its weight.
 */
import type { AuditFailure } from './report.ts';

export const WEIGHT_CLASS_BOUNDS = 'WEIGHT_CLASS_BOUNDS';

/** The first class whose VALID ballots outnumber its issued signatures, as a failure at `at`; undefined when none. */
export function weightClassBounds(
  valid: ReadonlyMap<number, number>,
  signed: ReadonlyMap<number, number>,
  at: Pick<AuditFailure, 'position' | 'streamId' | 'type'>,
): AuditFailure | undefined {
  for (const [weight, ballots] of [...valid].sort((a, b) => a[0] - b[0])) {
    const issued = signed.get(weight) ?? 0;
    if (ballots > issued) {
      return {
        check: WEIGHT_CLASS_BOUNDS,
        message: `weight class ${weight}: ${ballots} VALID ballots (weight ${ballots * weight}) but only ${issued} blind signatures issued (weight ${issued * weight})`,
        ...at,
      };
    }
  }
  return undefined;
}
