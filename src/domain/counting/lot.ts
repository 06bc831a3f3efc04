/**
 * The lot every tie-break falls back on, drawn from the log after voting closed (docs/methods.md,
 * "The lot"): nobody can know it while ballots can still be cast, and anyone can redraw it.
 */

/** Domain separation of the lot's hashes; a new version would change every lot. */
export const LOT_DOMAIN = 'evote-lot/v1';

const utf8 = new TextEncoder();

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
};

/**
 * Candidate indices sorted by SHA-256(LOT_DOMAIN ‖ 0x00 ‖ seed ‖ 0x00 ‖ index in decimal), smallest
 * first (= favoured); `seed` is the lowercase hex leaf hash of the election's VotingEnded entry.
 */
export function drawLot(sha256: (bytes: Uint8Array) => Uint8Array, seed: string, candidates: number): number[] {
  const keys = Array.from({ length: candidates }, (_, i) => ({ i, h: sha256(utf8.encode(`${LOT_DOMAIN}\u0000${seed}\u0000${i}`)) }));
  keys.sort((a, b) => compareBytes(a.h, b.h) || a.i - b.i);
  return keys.map((k) => k.i);
}
