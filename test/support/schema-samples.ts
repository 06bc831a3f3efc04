/**
 * Values generated from the gateway's payload JSON Schemas, for tests that walk the catalogue: a
 * sample that satisfies a schema (patterns included, by a sampler for the regex subset the
 * schemas use) and every leaf field of a payload with its path, to put hostile values in.
 */
type Schema = Record<string, unknown>;
export type FieldPath = (string | number)[];

/** The simplest string a pattern of the schemas' subset accepts (classes, escapes, groups, quantifiers). */
export function sampleOfPattern(pattern: string): string {
  let i = 0;
  const atom = (): string => {
    const c = pattern[i]!;
    if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      const first = pattern[i + 1] === '\\' ? pattern[i + 2]! : pattern[i + 1]!;
      i = end + 1;
      return first;
    }
    if (c === '\\') {
      const e = pattern[i + 1]!;
      i += 2;
      return e === 'd' ? '0' : e === 'w' ? 'a' : e;
    }
    if (c === '(') {
      i++;
      if (pattern.startsWith('?:', i)) i += 2;
      const alternatives: string[] = [''];
      while (pattern[i] !== ')') {
        if (pattern[i] === '|') {
          alternatives.push('');
          i++;
        } else alternatives[alternatives.length - 1] += quantified();
      }
      i++;
      return alternatives[0]!;
    }
    i++;
    return c;
  };
  const quantified = (): string => {
    const a = atom();
    const q = pattern[i];
    if (q === '?' || q === '*') {
      i++;
      return '';
    }
    if (q === '+') {
      i++;
      return a;
    }
    if (q === '{') {
      const end = pattern.indexOf('}', i);
      const min = Number(pattern.slice(i + 1, end).split(',')[0]);
      i = end + 1;
      return a.repeat(min);
    }
    return a;
  };
  let out = '';
  if (pattern[i] === '^') i++;
  while (i < pattern.length && !(pattern[i] === '$' && i === pattern.length - 1)) out += quantified();
  return out;
}

const typeOf = (s: Schema): string | undefined => (Array.isArray(s.type) ? (s.type as string[])[0] : (s.type as string | undefined));

/** A value the schema accepts (the first alternative of a oneOf, every property of an object). */
export function sampleOf(schema: Schema): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.oneOf)) return sampleOf(schema.oneOf[0] as Schema);
  switch (typeOf(schema)) {
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([k, s]) => [k, sampleOf(s)]));
    case 'array':
      return Array.from({ length: Math.max(1, (schema.minItems as number | undefined) ?? 1) }, () => sampleOf((schema.items ?? {}) as Schema));
    case 'string': {
      const base = typeof schema.pattern === 'string' ? sampleOfPattern(schema.pattern) : 'a';
      return base.padEnd((schema.minLength as number | undefined) ?? 0, 'a');
    }
    case 'integer':
    case 'number':
      return (schema.minimum as number | undefined) ?? 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

export interface Leaf {
  path: FieldPath;
  schema: Schema;
}

/** Every scalar field of a payload schema, through objects, array items and oneOf alternatives. */
export function leavesOf(schema: Schema, path: FieldPath = []): Leaf[] {
  if (Array.isArray(schema.oneOf)) {
    const alternative = (schema.oneOf as Schema[]).find((s) => typeOf(s) !== 'null') ?? {};
    return leavesOf(alternative, path);
  }
  switch (typeOf(schema)) {
    case 'object':
      return Object.entries((schema.properties ?? {}) as Record<string, Schema>).flatMap(([k, s]) => leavesOf(s, [...path, k]));
    case 'array':
      return leavesOf((schema.items ?? {}) as Schema, [...path, 0]);
    default:
      return path.length > 0 ? [{ path, schema }] : [];
  }
}

/** A copy of `value` with the member at `path` replaced. */
export function withValueAt(value: unknown, path: FieldPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head!] = withValueAt(copy[head!], rest, replacement);
  return copy;
}

/** Numeric schemas (integer or number) anywhere in a schema, with their paths. */
export function numericLeaves(schema: Schema): Leaf[] {
  return leavesOf(schema).filter((l) => ['integer', 'number'].includes(typeOf(l.schema) ?? ''));
}
