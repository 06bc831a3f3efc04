/**
 * Bounds on a frame that JSON Schema cannot state: how deeply its JSON nests (checked on the text,
 * before JSON.parse) and, once a payload passed its schema, that every string is well-formed
 * Unicode and every number a finite, exactly representable one. PostgreSQL refuses lone
 * surrogates and out-of-range numbers; they are turned away here as values, not as exceptions.
 */

/** Envelope → payload → array → object leaves room; no message nests deeper than 4. */
export const MAX_JSON_DEPTH = 8;

const OPEN_BRACE = 123; // {
const OPEN_BRACKET = 91; // [
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;

/** True when brackets outside strings nest deeper than `max`. One pass, no allocation. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

export interface BoundsViolation {
  instancePath: string;
  message: string;
}

// Node 20 has String.prototype.isWellFormed; the ES2022 lib this project compiles against does not type it.
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const ILL_FORMED = 'must be well-formed Unicode (no lone surrogate)';
const OUT_OF_RANGE = `must be a finite number of magnitude at most ${Number.MAX_SAFE_INTEGER}`;

/**
 * The first string (value or key) that is not well-formed Unicode, or number beyond ±2^53 − 1, as
 * a JSON-Pointer-like path. Depth is already bounded by nestsDeeperThan, so recursion is safe.
 */
export function findUnboundedValue(value: unknown, path = ''): BoundsViolation | undefined {
  if (typeof value === 'string') return wellFormed(value) ? undefined : { instancePath: path, message: ILL_FORMED };
  if (typeof value === 'number') return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? undefined : { instancePath: path, message: OUT_OF_RANGE };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnboundedValue(value[i], `${path}/${i}`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      // The key itself goes into the reply's path: an ill-formed one is named by its parent.
      if (!wellFormed(key)) return { instancePath: path, message: `property names ${ILL_FORMED}` };
      const found = findUnboundedValue(member, `${path}/${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
