/**
 * `npm run demo` for 100 voters, as a newcomer runs it: the real server process on the embedded
 * default, the real gateway, e-mail to an in-process SMTP server. The printed results must equal
 * what the simulated voters chose (the demo prints their choices in --json mode), every receipt
 * must be found and counted as its voter chose, and the independent audit must pass.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface DemoOutput {
  ok: boolean;
  voters: number;
  choices: string[];
  results: { counts: Record<string, number>; statuses: Record<string, number>; ballots: number };
  receipts: { checked: number; ok: number; problems: string[] };
  audit: { ok: boolean; events: number; checkpoints: number; failures: unknown[] };
  timings: Record<string, number>;
}

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('runs a whole 100-voter election whose printed result equals the simulated choices', async () => {
    const { code, stdout, stderr } = await runDemo(['--voters', '100', '--json']);
    expect(stderr.split('\n').filter((l) => l.startsWith('demo failed'))).toEqual([]);
    expect(code, stdout).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as DemoOutput;

    // The choices the 100 voters made, counted here independently of the demo's own comparison.
    expect(out.choices).toHaveLength(100);
    const chosen: Record<string, number> = {};
    for (const c of out.choices) chosen[c] = (chosen[c] ?? 0) + 1;
    const counted = Object.fromEntries(Object.entries(out.results.counts).filter(([, n]) => n > 0));
    expect(counted).toEqual(chosen);
    expect(out.results.ballots).toBe(100);
    expect(out.results.statuses.VALID).toBe(100);
    expect(Object.entries(out.results.statuses).filter(([s, n]) => s !== 'VALID' && n !== 0)).toEqual([]);

    expect(out.receipts).toEqual({ checked: 100, ok: 100, problems: [] });
    expect(out.audit.ok).toBe(true);
    expect(out.audit.failures).toEqual([]);
    expect(out.audit.checkpoints).toBeGreaterThan(0);
    expect(out.ok).toBe(true);
  }, 180_000);

  it('refuses a bad --voters with one line and a non-zero exit', async () => {
    const { code, stdout, stderr } = await runDemo(['--voters', 'many']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual(['demo: --voters must be an integer in 1..100000']);
  }, 30_000);
});
