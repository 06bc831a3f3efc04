/**
 * Every error a CLI user can cause prints ONE clear line on stderr and exits non-zero, with no
 * stack trace: missing file, bad CSV row (its line number), unreachable server, wrong admin token,
 * election in the wrong state, bad letter, unknown command. Runs the real `bin/evote.js` against
 * the real composition (startTestCluster: PostgreSQL, Redis, the gateway on an ephemeral port).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvote, type CliRun } from '../support/run-cli.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
let dir: string;
let url: string;

const evote = (args: string[], env: Record<string, string> = {}) => runEvote(args, { EVOTE_ADMIN_TOKEN: '', ...env });

/** The run failed with `exit`, printed nothing on stdout and exactly one line on stderr matching `pattern`. */
function expectOneLine(run: CliRun, exit: number, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect({ code: run.code, lines }).toEqual({ code: exit, lines: [expect.stringMatching(pattern)] });
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe('');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evote-cli-errors-'));
  cluster = await startTestCluster({ config: { dataDir: dir } });
  url = cluster.systems[0]!.gateway!.url;
});
afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('evote CLI errors: one line, no stack trace, meaningful exit code', () => {
  it('reports each user error in one line', async () => {
    const admin = ['--url', url, '--token', cluster.adminToken];
    const created = await evote([...admin, '--json', 'election', 'create', '--theme', 'Errors', '--choice', 'Yes', '--choice', 'No', '--expected-voters', '5']);
    expect(created.code).toBe(0);
    const { electionId } = JSON.parse(created.stdout) as { electionId: string };
    const badCsv = path.join(dir, 'bad.csv');
    await writeFile(badCsv, 'name,email\nAda,ada@example.org\nBob,not-an-address\nCy,cy@example.org\n');
    const uriFile = path.join(dir, 'not-a-letter.txt');
    await writeFile(uriFile, 'hello');

    const [missingFile, badRow, unreachable, wrongToken, wrongState, missingLetter, notALetter, missingLog, unknownCommand, unknownElection] = await Promise.all([
      evote([...admin, 'election', 'import-voters', electionId, path.join(dir, 'nope.csv')]),
      evote([...admin, 'election', 'import-voters', electionId, badCsv]),
      evote(['--url', 'ws://127.0.0.1:1/ws', '--token', cluster.adminToken, 'election', 'list']),
      evote(['--url', url, '--token', 'not-the-admin-token-at-all', 'election', 'start', electionId]),
      evote([...admin, 'election', 'end', electionId]),
      evote(['--url', url, 'vote', '--letter', path.join(dir, 'missing.png'), '--choice', 'Yes', '--client-id', 'x', '--client-key', 'y']),
      evote(['--url', url, 'vote', '--letter', uriFile, '--choice', 'Yes', '--client-id', 'x', '--client-key', 'y']),
      evote(['audit', '--from', path.join(dir, 'missing.ndjson')]),
      evote(['frobnicate']),
      evote(['--url', url, 'election', 'status', 'no-such-election']),
    ]);
    expectOneLine(missingFile, 4, /^evote: FILE_UNREADABLE: cannot read .*nope\.csv: ENOENT$/);
    expectOneLine(badRow, 1, /^evote: INVALID_EMAIL: .*line 3/);
    expectOneLine(unreachable, 3, /^evote: UNREACHABLE: cannot reach the server at ws:\/\/127\.0\.0\.1:1\/ws/);
    expectOneLine(wrongToken, 1, /^evote: UNAUTHORIZED: .*--token/);
    expectOneLine(wrongState, 1, /^evote: WRONG_STATE: /);
    expectOneLine(missingLetter, 4, /^evote: INVALID_LETTER: cannot read .*missing\.png: ENOENT$/);
    expectOneLine(notALetter, 4, /^evote: INVALID_LETTER: not a credential letter/);
    expectOneLine(missingLog, 4, /^evote: FILE_UNREADABLE: cannot read .*missing\.ndjson/);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(unknownCommand.stderr).not.toMatch(/\n\s+at /);
    expectOneLine(unknownElection, 1, /^evote: ELECTION_NOT_FOUND: /);
  }, 120_000);

  it('prints errors as JSON on stderr with --json', async () => {
    const run = await evote(['--json', '--url', 'ws://127.0.0.1:1/ws', 'election', 'list']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: { code: 'UNREACHABLE' } });
  }, 30_000);
});
