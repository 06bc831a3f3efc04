import { randomInt } from 'node:crypto';

/** Fisher–Yates in place with an unbiased integer source (default: crypto.randomInt). */
export function shuffle<T>(items: T[], random: (max: number) => number = randomInt): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
