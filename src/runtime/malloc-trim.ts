/**
 * glibc's malloc_trim(0) through koffi: returns the free pages that free() keeps inside malloc's
 * arenas (docs/operations.md, "Memory"). Undefined off glibc or when koffi cannot load.
 */
import { createRequire } from 'node:module';

type Trim = () => boolean;
let loaded: Trim | null | undefined;

export function mallocTrim(): Trim | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): Trim | null {
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  if (process.platform !== 'linux' || !glibc) return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t)') as (pad: number) => number;
    return () => trim(0) === 1;
  } catch {
    return null;
  }
}
