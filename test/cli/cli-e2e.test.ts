/**
 * A whole election driven by the real `evote` binary (bin/evote.js, spawned) against the real
 * composition (startTestCluster: PostgreSQL, Redis, the gateway on an ephemeral port): create,
 * import a 2,000-row CSV, register a voting application, start, write letters to a folder, 50
 * voters vote with `evote vote --letter <png>`, end, tally, results, receipts (by N2 and by ballot
 * hash), log export, audit (from the file and from the server, against the fingerprint `election
 * create` printed), a tampered export and a wrong fingerprint that must fail the audit with exit 5,
 * and an export cut after VotingEnded that is incomplete (exit 6). Every exit code and output is checked.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvote } from '../support/run-cli.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
let dir: string;
let url: string;

const evote = (args: string[], env: Record<string, string> = {}) => runEvote(['--url', url, ...args], { EVOTE_ADMIN_TOKEN: cluster.adminToken, ...env });

/** Runs and expects exit 0, returning stdout (stderr is shown when it fails). */
async function ok(args: string[], env?: Record<string, string>): Promise<string> {
  const run = await evote(args, env);
  expect({ args, code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return run.stdout;
}

async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evote-cli-e2e-'));
  // The server writes printable letters under its data dir: the CLI, on the same machine, copies them.
  cluster = await startTestCluster({ config: { dataDir: path.join(dir, 'server') } });
  url = cluster.systems[0]!.gateway!.url;
});
afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the evote CLI runs a whole election', () => {
  it('create, import 2,000, letters, 50 votes by letter, end, tally, results, receipts, export, audit', async () => {
    // --help exists on every command.
    for (const cmd of [[], ['election'], ['vote'], ['letters'], ['audit'], ['tally'], ['receipt'], ['log', 'export']]) {
      const help = await evote([...cmd, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: evote/);
    }

    const created = JSON.parse(await ok(['--json', 'election', 'create', '--theme', 'CLI election', '--choice', 'Yes', '--choice', 'No', '--choice', 'Abstain', '--expected-voters', '2000'])) as { electionId: string; fingerprint: string };
    const electionId = created.electionId;
    expect(electionId).toMatch(/^[0-9a-f-]{36}$/);
    // The fingerprint is computed by the CLI from the keys the server publishes, shown in groups of 4.
    expect(created.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const grouped = created.fingerprint.match(/.{4}/g)!.join(' ');
    const createdLines = (await ok(['election', 'create', '--theme', 'Another', '--choice', 'A', '--choice', 'B', '--expected-voters', '3'])).split('\n');
    expect(createdLines[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(createdLines[1]).toMatch(/^fingerprint {2}([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(await ok(['election', 'status', electionId])).toContain(`fingerprint  ${grouped}`);

    const csv = path.join(dir, 'voters.csv');
    await writeFile(csv, voterCsv(2000, 'cli.example'));
    const imported = await evote(['election', 'import-voters', electionId, csv]);
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim()).toBe('imported 2000 voters (0 already registered)');
    // Not a TTY: progress as plain lines on stderr, ending at 100%.
    expect(imported.stderr.trim().split('\n').at(-1)).toBe('importing voters: 2000/2000 (100%)');

    const app = JSON.parse(await ok(['--json', 'clients', 'register', '--name', 'cli test app'])) as { clientId: string; clientKey: string };
    expect(app.clientKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await ok(['election', 'start', electionId])).trim()).toBe('voting started');
    const status = await ok(['election', 'status', electionId]);
    expect(status).toMatch(/status\s+VOTE_STARTED/);
    expect(status).toMatch(/voters\s+2000 registered \/ 2000 expected/);

    const lettersDir = path.join(dir, 'letters-out');
    const letters = await evote(['--data-dir', path.join(dir, 'server'), 'letters', electionId, lettersDir]);
    expect(letters.code).toBe(0);
    expect(letters.stdout.trim()).toBe(`issued 2000 of 2000 credentials; letters in ${lettersDir}`);
    const files = (await readdir(lettersDir)).sort();
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(2000);
    expect(files.filter((f) => f.endsWith('.pdf'))).toHaveLength(2000);
    expect((await stat(path.join(lettersDir, files[0]!))).mode & 0o077).toBe(0);

    // 50 voters vote with their letter's PNG, 5 processes at a time.
    const pngs = files.filter((f) => f.endsWith('.png')).slice(0, 50);
    const choices = pngs.map((_, i) => ['Yes', 'No', 'Abstain'][i % 3]!);
    const clientEnv = { EVOTE_CLIENT_ID: app.clientId, EVOTE_CLIENT_KEY: app.clientKey };
    const receipts = await mapConcurrent(pngs, 5, async (png, i) => {
      const receiptFile = path.join(dir, `receipt-${i}.json`);
      const out = await ok(['vote', '--letter', path.join(lettersDir, png), '--choice', choices[i]!, '--receipt', receiptFile], clientEnv);
      expect(out).toMatch(/^ballot cast\n/);
      const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as { electionId: string; ballotHash: string; signature: string; n2: string };
      expect(receipt.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(out).toContain(receipt.ballotHash);
      return { ...receipt, file: receiptFile };
    });
    expect(new Set(receipts.map((r) => r.ballotHash)).size).toBe(50);

    // A letter casts once.
    const again = await evote(['vote', '--letter', path.join(lettersDir, pngs[0]!), '--choice', 'Yes'], clientEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^evote: (ALREADY_SIGNED|ALREADY_CAST): /);

    // The close releases the ballot pool; before the tally a receipt is found by ballot hash, not yet counted.
    expect((await ok(['election', 'end', electionId])).trim()).toBe('voting ended');
    const early = await ok(['receipt', '--election', electionId, '--ballot', receipts[0]!.ballotHash]);
    expect(early).toMatch(/status\s+cast, not counted yet/);
    const tally = await evote(['tally', electionId]);
    expect(tally.code).toBe(0);
    expect(tally.stdout).toMatch(/^tally published \(50 ballots\)/);
    expect(tally.stderr.trim().split('\n').at(-1)).toBe('counting ballots: 50/50 (100%)');

    const expected = { Yes: choices.filter((c) => c === 'Yes').length, No: choices.filter((c) => c === 'No').length, Abstain: choices.filter((c) => c === 'Abstain').length };
    const results = JSON.parse(await ok(['--json', 'election', 'results', electionId])) as { counts: Record<string, number>; published: boolean; statuses: Record<string, number> };
    expect(results.published).toBe(true);
    expect(results.counts).toEqual(expected);
    expect(results.statuses.VALID).toBe(50);
    const human = await ok(['election', 'results', electionId]);
    expect(human).toMatch(new RegExp(`Yes\\s+${expected.Yes}\\s`));

    // Receipts by N2 and salt (the saved file) show the counted choice; by ballot hash the status.
    for (const i of [0, 1, 2, 49]) {
      const byFile = JSON.parse(await ok(['--json', 'receipt', '--file', receipts[i]!.file])) as { ballotHash: string; status: string; choice: string };
      expect(byFile).toMatchObject({ ballotHash: receipts[i]!.ballotHash, status: 'VALID', choice: choices[i] });
    }
    const byHash = JSON.parse(await ok(['--json', 'receipt', '--election', electionId, '--ballot', receipts[3]!.ballotHash])) as { status: string; choice: string | null };
    expect(byHash).toMatchObject({ status: 'VALID', choice: null });
    // The letter's N2 alone is no receipt: the option is gone.
    expect((await evote(['receipt', '--election', electionId, '--n2', receipts[3]!.n2])).code).not.toBe(0);

    // Export the log and audit it from the file and from the server.
    const exportFile = path.join(dir, 'election.ndjson');
    expect((await ok(['log', 'export', electionId, '--out', exportFile])).trim()).toMatch(/^exported \d+ lines \(\d+ bytes\) to /);
    const audited = await evote(['audit', '--from', exportFile, '--fingerprint', grouped]);
    expect(audited.code).toBe(0);
    expect(audited.stdout).toContain(`fingerprint ${grouped}`);
    expect(audited.stdout).toMatch(new RegExp(`^election ${electionId}: AUDIT PASSED`));
    expect(audited.stdout).toMatch(/ballots cast 50 \(\+0 after voting ended\), counted 50/);
    const live = JSON.parse(await ok(['--json', 'audit', '--from', url, '--election', electionId])) as { ok: boolean; ballotsCounted: number; counts: Record<string, number> };
    expect(live).toMatchObject({ ok: true, ballotsCounted: 50, counts: expected });

    // Tampering: change one counted choice in the export → exit 5, naming the event.
    const lines = (await readFile(exportFile, 'utf8')).trimEnd().split('\n');
    const idx = lines.findIndex((l) => l.includes('"VoteCounted"') && l.includes('"choice":"Yes"'));
    expect(idx).toBeGreaterThan(0);
    lines[idx] = lines[idx]!.replace('"choice":"Yes"', '"choice":"No"');
    const tampered = path.join(dir, 'tampered.ndjson');
    await writeFile(tampered, lines.join('\n') + '\n');
    const wrongKeys = await evote(['audit', '--from', exportFile, '--fingerprint', 'ab12'.repeat(16)]);
    expect(wrongKeys.code).toBe(5);
    expect(wrongKeys.stderr).toMatch(/^evote: AUDIT_FAILED: audit failed at position \d+ \(ElectionCreated in election-[^)]+\): \[ELECTION_FINGERPRINT\]/m);
    // The export cut right after the VotingEnded checkpoint: not the whole election, exit 6; --live accepts it.
    const exported = (await readFile(exportFile, 'utf8')).trimEnd().split('\n');
    const ended = exported.findIndex((l) => l.includes('"type":"VotingEnded"'));
    expect(exported[ended + 1]).toContain('"type":"LogCheckpointed"');
    const cut = path.join(dir, 'cut.ndjson');
    await writeFile(cut, exported.slice(0, ended + 2).join('\n') + '\n');
    const [incomplete, partial] = await Promise.all([evote(['audit', '--from', cut]), evote(['audit', '--live', '--from', cut])]);
    expect(incomplete.code).toBe(6);
    expect(incomplete.stderr).toMatch(/^evote: AUDIT_INCOMPLETE: .*\(VotingEnded in election-[^)]+\): \[TALLY_NOT_PUBLISHED\]/m);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toMatch(/AUDIT PARTIAL/);
    const failed = await evote(['audit', '--from', tampered]);
    expect(failed.code).toBe(5);
    expect(failed.stdout).toMatch(/AUDIT FAILED/);
    // Plain progress lines, then ONE error line naming the first broken event.
    const errLines = failed.stderr.trim().split('\n');
    expect(errLines.filter((l) => l.startsWith('evote:'))).toEqual([expect.stringMatching(/^evote: AUDIT_FAILED: audit failed at position \d+ \(VoteCounted in tally-[^)]+\): \[LEAF_HASH\]/)]);
    expect(errLines.every((l) => l.startsWith('evote:') || l.startsWith('checking ballots: '))).toBe(true);

    expect(JSON.parse(await ok(['--json', 'election', 'list'])).some((e: { electionId: string }) => e.electionId === electionId)).toBe(true);
    const projections = await ok(['projections', 'status']);
    expect(projections).toMatch(/^projection\s+position\s+head\s+lag/);
  }, 600_000); // ~20 CLI processes: 100–160 s alone, over 300 s under a full run on a loaded 2-core machine
});
