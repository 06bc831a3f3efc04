/**
 * A YAML emitter for plain JSON data (objects, arrays, strings, numbers, booleans, null), enough to
 * write docs/asyncapi.yaml deterministically without a dependency. Strings are emitted as JSON
 * strings (valid YAML double-quoted scalars) unless they are plainly safe.
 */
const SAFE_PLAIN = /^[A-Za-z_][A-Za-z0-9_ ./()-]*$/;
const RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);

function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  return SAFE_PLAIN.test(s) && !RESERVED.has(s.toLowerCase()) && !s.endsWith(' ') ? s : JSON.stringify(s);
}

const key = (k: string) => scalar(k);
const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);

function emit(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (typeof item === 'object' && item !== null && !isEmpty(item)) {
        const [first, ...rest] = emit(item, indent + '  ');
        return [`${indent}- ${first!.trimStart()}`, ...rest];
      }
      return [`${indent}- ${inline(item)}`];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      if (v === undefined) return [];
      if (typeof v === 'object' && v !== null && !isEmpty(v)) return [`${indent}${key(k)}:`, ...emit(v, indent + '  ')];
      return [`${indent}${key(k)}: ${inline(v)}`];
    });
  }
  return [`${indent}${scalar(value)}`];
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}

export function toYaml(value: unknown): string {
  return emit(value, '').join('\n') + '\n';
}
