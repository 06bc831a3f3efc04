/** runCloseSteps: a step that hangs or fails is left behind, the later steps still run, and the whole stays within its budget. */
import { describe, expect, it } from 'vitest';
import { runCloseSteps } from '../../src/app/shutdown.ts';
import { createLogger } from '../../src/runtime/log.ts';

function collectingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

describe('runCloseSteps', () => {
  it('runs every step in order when all finish, and says so', async () => {
    const { log } = collectingLog();
    const ran: string[] = [];
    const step = (name: string) => ({ name, run: async () => void ran.push(name) });
    expect(await runCloseSteps([step('a'), step('b'), step('c')], log, 1_000)).toBe(true);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('leaves a hanging step and a failing one behind, runs the rest, and keeps to the budget', async () => {
    const { log, lines } = collectingLog();
    const ran: string[] = [];
    const started = performance.now();
    const clean = await runCloseSteps(
      [
        { name: 'hangs', run: () => new Promise(() => {}) },
        { name: 'fails', run: () => Promise.reject(new Error('redis unavailable')) },
        { name: 'last', run: async () => void ran.push('last') },
      ],
      log,
      300,
    );
    const ms = performance.now() - started;
    expect(clean).toBe(false);
    expect(ran).toEqual(['last']);
    expect(ms).toBeLessThan(1_000);
    expect(lines.map((l) => [l.msg, l.step])).toEqual([
      ['close step did not finish in time; left behind', 'hangs'],
      ['close step failed', 'fails'],
    ]);
  });
});
