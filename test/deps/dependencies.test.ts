/**
 * package.json against the code: a runtime dependency is one that src/, bin/ or scripts/ import
 * (what `npm start`, `evote` and the npm scripts load); one imported only by test/ or bench/ (or
 * the root config files) belongs in devDependencies; a declared package nobody imports goes; and
 * nothing src/ or bin/ imports may be a devDependency (an install without dev packages would not
 * start), except the few loaded lazily on a path a built install never takes (DEV_ONLY_PATHS). Specifiers are read from the text: static and dynamic imports, `typeof import('x')`,
 * require / require.resolve (a template literal counts by its constant prefix), and
 * createRequire(...)('x').
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNTIME_DIRS = ['src', 'bin', 'scripts'];
const START_DIRS = ['src', 'bin'];
// web/ is bundled by Vite at build time: what it imports is a devDependency (docs/web.md).
const DEV_DIRS = ['test', 'bench', 'web'];
const DEV_ROOT_FILES = ['eslint.config.js', 'vitest.config.ts'];

/** Declared packages used other than by an import, and why. */
const USED_OTHERWISE: Record<string, string> = {
  eslint: 'the `npm run lint` command line (its configuration imports @eslint/js and typescript-eslint)',
  typescript: 'tsc: the type checker of `npm run lint` / `npm run typecheck`, the compiler of `npm run build`',
};

/**
 * devDependencies that src/ or bin/ load only when building dist/ or running from the sources, and
 * why a production install (`npm run build`, then `npm ci --omit=dev`) never reaches them. They must
 * be loaded lazily (require, createRequire, import()), never by a static import.
 */
const DEV_ONLY_PATHS: Record<string, string> = {
  typescript: 'bin/build.js compiles dist/ when it is missing or stale; a built install has a fresh dist/',
  esbuild: 'src/runtime/worker-thread.ts bundles a worker entry only from the sources (vitest, tsx); compiled, it loads the .js',
  tsx: "src/runtime/worker-thread.ts's fallback when esbuild is unusable, from the sources only",
};

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const runtimeDeps = Object.keys(pkg.dependencies ?? {});
const devDeps = Object.keys(pkg.devDependencies ?? {});
const builtins = new Set(builtinModules);

const SELF = fileURLToPath(import.meta.url); // its samples below are not imports

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => f !== SELF);
}

const SPECIFIER_PATTERNS = [
  /\bfrom\s*['"]([^'"\s]+)['"]/g, // import … from 'x', export … from 'x'
  /\bimport\s*['"]([^'"\s]+)['"]/g, // import 'x'
  /\bimport\s*\(\s*['"]([^'"\s]+)['"]/g, // import('x'), typeof import('x')
  /\brequire(?:\.resolve)?\s*\(\s*['"]([^'"\s]+)['"]/g, // require('x'), require.resolve('x/…')
  /\brequire(?:\.resolve)?\s*\(\s*`([^`$\s]+)/g, // require(`x/…${…}`)
  /\bcreateRequire\([^)]*\)\s*\(\s*['"]([^'"\s]+)['"]/g, // createRequire(import.meta.url)('x')
];
const PACKAGE_NAME = /^(@[\w.~-]+\/)?[\w.~-]+$/;

/** The bare specifiers of a file (comments dropped), reduced to package names. */
function importedPackages(text: string): Set<string> {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const names = new Set<string>();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      const spec = m[1]!;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.startsWith('#')) continue;
      const parts = spec.split('/');
      const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
      if (builtins.has(name) || !PACKAGE_NAME.test(name)) continue;
      names.add(name);
    }
  }
  return names;
}

function importsOf(files: string[]): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const file of files) {
    for (const name of importedPackages(readFileSync(file, 'utf8'))) {
      byPackage.set(name, [...(byPackage.get(name) ?? []), path.relative(ROOT, file)]);
    }
  }
  return byPackage;
}

const runtimeImports = importsOf(RUNTIME_DIRS.flatMap(sourceFiles));
const startImports = importsOf(START_DIRS.flatMap(sourceFiles));
const devImports = importsOf([...DEV_DIRS.flatMap(sourceFiles), ...DEV_ROOT_FILES.map((f) => path.join(ROOT, f))]);
const usesNodeBuiltins = [...RUNTIME_DIRS, ...DEV_DIRS].flatMap(sourceFiles).some((f) => /['"]node:/.test(readFileSync(f, 'utf8')));

/** @types/x is used when x is (@types/a__b for @a/b); @types/node when any node: module is. */
function typesPackageUsed(name: string): boolean {
  const target = name.slice('@types/'.length);
  if (target === 'node') return usesNodeBuiltins;
  const pkgName = target.includes('__') ? `@${target.replace('__', '/')}` : target;
  return runtimeImports.has(pkgName) || devImports.has(pkgName);
}

describe('package.json dependencies', () => {
  it('reads the specifiers the project uses', () => {
    // The scanner itself: every form the sources use, and a comment is not an import.
    const sample = [
      "import { a } from 'pkg-a';",
      "import type { B } from '@scope/pkg-b/sub';",
      "import 'pkg-c';",
      "const d = await import('pkg-d');",
      "type E = typeof import('pkg-e');",
      "const f = createRequire(import.meta.url)('pkg-f');",
      "require.resolve('pkg-g/package.json');",
      'require(`pkg-h/binaries/${process.arch}.node`);',
      "import { x } from './local.ts'; import fs from 'node:fs'; import os from 'os';",
      "// import { z } from 'pkg-in-a-comment';",
      "/** import { z } from 'pkg-in-a-doc-comment'; */",
    ].join('\n');
    expect([...importedPackages(sample)].sort()).toEqual(['@scope/pkg-b', 'pkg-a', 'pkg-c', 'pkg-d', 'pkg-e', 'pkg-f', 'pkg-g', 'pkg-h']);
    expect(runtimeImports.get('esbuild'), 'src/runtime/worker-thread.ts loads esbuild through createRequire').toBeDefined();
    expect(runtimeImports.get('typescript'), 'bin/build.js resolves tsc').toBeDefined();
  });

  it('has no runtime dependency that only tests or benchmarks import', () => {
    const devOnly = runtimeDeps.filter((d) => !runtimeImports.has(d) && devImports.has(d)).map((d) => `${d} (${devImports.get(d)!.join(', ')})`);
    expect(devOnly, 'move these to devDependencies').toEqual([]);
  });

  it('declares nothing that nothing uses', () => {
    const unused = [...runtimeDeps, ...devDeps].filter((d) => {
      if (runtimeImports.has(d) || devImports.has(d) || d in USED_OTHERWISE) return false;
      return !(d.startsWith('@types/') && typesPackageUsed(d));
    });
    expect(unused, 'remove these from package.json, or add them to USED_OTHERWISE with the reason').toEqual([]);
    const stale = Object.keys(USED_OTHERWISE).filter((d) => !runtimeDeps.includes(d) && !devDeps.includes(d));
    expect(stale, 'USED_OTHERWISE names packages package.json no longer declares').toEqual([]);
  });

  it('starts without dev packages: src/ and bin/ import only runtime dependencies', () => {
    const devAtStart = devDeps.filter((d) => startImports.has(d) && !(d in DEV_ONLY_PATHS)).map((d) => `${d} (${startImports.get(d)!.join(', ')})`);
    expect(devAtStart, 'src/ and bin/ must not import a devDependency').toEqual([]);
  });

  it('loads the dev packages of building and of the sources lazily, never by a static import', () => {
    const staticImport = (name: string) => new RegExp(`^\\s*(?:import|export)\\s+(?!type\\b)[^;]*?from\\s*['"]${name}(?:/[^'"]*)?['"]`, 'm');
    const eager = Object.keys(DEV_ONLY_PATHS).flatMap((d) =>
      (startImports.get(d) ?? []).filter((f) => staticImport(d).test(readFileSync(path.join(ROOT, f), 'utf8'))).map((f) => `${d} (${f})`),
    );
    expect(eager, 'a static import loads the package at start, even in a built install').toEqual([]);
    const notDev = Object.keys(DEV_ONLY_PATHS).filter((d) => !devDeps.includes(d));
    expect(notDev, 'DEV_ONLY_PATHS lists packages that are not devDependencies').toEqual([]);
    expect(staticImport('esbuild').test("import { build } from 'esbuild';"), 'the static-import pattern').toBe(true);
    expect(staticImport('esbuild').test("type Esbuild = typeof import('esbuild');")).toBe(false);
  });

  it('imports only declared packages', () => {
    const declared = new Set([...runtimeDeps, ...devDeps, pkg.name]);
    const undeclared = [...new Set([...runtimeImports.keys(), ...devImports.keys()])].filter((d) => !declared.has(d));
    expect(undeclared, 'declare these in package.json (they resolve only through another package)').toEqual([]);
  });
});
