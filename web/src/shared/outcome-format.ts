/** How the board and the console write a round's figure: STV's 10^-5 units as decimals, a majority grade by its name. */
import type { MethodName } from '../../../src/domain/counting/types.ts';

/** Decimal places of the method's integer unit: Scottish STV counts in 10^-5 vote (docs/methods.md "Arithmetic"). */
export const UNIT_DECIMALS: Partial<Record<MethodName, number>> = { 'stv-scottish': 5 };

/**
 * An exact integer figure (a number, or a string of digits for figures past 2^53) in the reader's
 * language; with `decimals`, the integer is in 10^-decimals units and trailing zeros are dropped
 * (200000 → "2", 142424 → "1.42424"). Anything else is shown as it is.
 */
export function formatFigure(lang: string, value: number | string, decimals = 0): string {
  const text = String(value);
  if (!/^-?\d+$/.test(text)) return text;
  const n = BigInt(text);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const scale = 10n ** BigInt(decimals);
  const whole = new Intl.NumberFormat(lang).format(abs / scale);
  const fraction = decimals > 0 ? (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  const point = new Intl.NumberFormat(lang).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  return `${negative ? '-' : ''}${whole}${fraction ? point + fraction : ''}`;
}

/** A round's figure for one candidate: majority judgment's grade index by its name on the scale, the rest as numbers. */
export function figureText(lang: string, method: MethodName, value: number | string, scale?: readonly string[]): string {
  if (method === 'majority-judgment' && scale && typeof value === 'number' && scale[value] !== undefined) return scale[value];
  return formatFigure(lang, value, UNIT_DECIMALS[method] ?? 0);
}
