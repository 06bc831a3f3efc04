/**
 * GET /metrics of a real process (PostgreSQL, Redis, gateway) exports every evote metric under the
 * names, types, help and label names that dashboards and alerts already use, and the process's
 * default metrics beside them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

/** The evote metrics as they were before prom-client: name, type, help, label names. */
const EVOTE_METRICS: [string, string, string, string[]][] = [
  ['evote_ws_connections', 'gauge', 'Open WebSocket connections', []],
  ['evote_ws_buffered_bytes', 'gauge', 'Bytes queued for WebSocket clients and not yet sent, all sockets together', []],
  [
    'evote_ws_upgrades_refused_total',
    'counter',
    'WebSocket upgrades refused with 429 by the per-source limits (reason: open = too many open, rate = too many new per second)',
    ['reason'],
  ],
  [
    'evote_commands_total',
    'counter',
    'Commands handled, by name and outcome (ok; rejected: refused by validation, auth or the domain; error: internal failure)',
    ['name', 'outcome'],
  ],
  ['evote_errors_total', 'counter', 'Error replies sent, by error code', ['code']],
  ['evote_command_duration_seconds', 'histogram', 'Command handling time, including the wait for projections', ['name']],
  ['evote_append_duration_seconds', 'histogram', 'Event-store append latency, by operation and outcome', ['op', 'outcome']],
  ['evote_appended_events_total', 'counter', 'Events appended, by stream category', ['category']],
  ['evote_auth_attempts_total', 'counter', 'Voter authentication attempts by level and outcome', ['level', 'outcome']],
  ['evote_projection_lag_events', 'gauge', 'Events in the log not yet folded into a projection', ['projection']],
];

let cluster: TestCluster;
let text: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  const gateway = cluster.systems[0]!.gateway!;
  const admin = await EvoteConnection.connect(gateway.url);
  try {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Metrics', choices: ['a', 'b'], expectedVoters: 3 }, { token });
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(3) }, { token });
    await admin.request('command', 'election.start', { electionId }).catch(() => undefined); // UNAUTHORIZED
    await admin.request('command', 'auth.level1', { electionId, voterId: randomUUID(), secretCode: 'A'.repeat(64) }).catch(() => undefined);
    const r = await fetch(`${gateway.httpUrl}/metrics`);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    text = await r.text();
  } finally {
    await admin.close();
  }
}, 120_000);

afterAll(async () => cluster?.close());

/** The label names of each sample line of `name` (histogram series included). */
function labelNamesOf(name: string): string[][] {
  const series = new RegExp(`^${name}(?:_bucket|_sum|_count)?\\{([^}]*)\\} `, 'gm');
  return [...text.matchAll(series)].map((m) => [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!).filter((l) => l !== 'le').sort());
}

describe('GET /metrics', () => {
  it.each(EVOTE_METRICS)('exports %s as a %s with its help and labels', (name, type, help, labels) => {
    expect(text).toContain(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
    const seen = labelNamesOf(name);
    if (labels.length === 0) expect(text).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    else {
      expect(seen.length, `${name} has samples`).toBeGreaterThan(0);
      for (const l of seen) expect(l).toEqual([...labels].sort());
    }
  });

  it('exports no other evote metric', () => {
    const names = [...text.matchAll(/^# TYPE (evote_\w+) /gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(EVOTE_METRICS.map(([n]) => n).sort());
  });

  it("exports the process's default metrics", () => {
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds']) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });
});
