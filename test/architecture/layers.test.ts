/**
 * The layer rule of docs/architecture.md as lint enforces it: an import from a folder above fails
 * `npm run lint`, one from the same layer or below passes, and the real tree has no upward import.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint', () => {
  it.each([
    ['src/domain/x.ts', "import { STREAM_CATEGORIES } from '../eventstore/port.ts';"],
    ['src/crypto/x.ts', "import type { DomainError } from '../domain/errors.ts';"],
    ['src/eventstore/x.ts', "import type { ReadModelQueries } from '../projections/read-models.ts';"],
    ['src/projections/x.ts', "import { startGateway } from '../gateway/gateway.ts';"],
    ['src/commands/x.ts', "import type { Config } from '../app/config.ts';"],
    ['src/gateway/messages/x.ts', "import { EXIT } from '../../cli/exit-codes.ts';"],
    ['src/client/x.ts', "export { startSystem } from '../app/bootstrap.ts';"],
  ])('refuses an upward import in %s', async (file, code) => {
    const errors = await layerErrors(file, `${code}\nexport const y = 1;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('docs/architecture.md');
  });

  it.each([
    ['src/domain/x.ts', "import { canonicalJson } from '../crypto/canonical.ts';"],
    ['src/eventstore/x.ts', "import type { Logger } from '../runtime/log.ts';"],
    ['src/gateway/x.ts', "import type { ReadModelQueries } from '../projections/read-models.ts';"],
    ['src/client/x.ts', "import type { EvoteConnection } from './connection.ts';"],
    ['src/app/x.ts', "import { startGateway } from '../gateway/gateway.ts';"],
  ])('allows a same-layer or downward import in %s', async (file, code) => {
    expect(await layerErrors(file, `${code}\nexport const y = 1;\n`)).toEqual([]);
  });

  it('finds no upward import in src/', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const upward = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}`));
    expect(results.length).toBeGreaterThan(150);
    expect(upward).toEqual([]);
  }, 120_000);
});
