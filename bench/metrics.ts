/**
 * `npx tsx bench/metrics.ts [--old-metrics=FILE] [--old-log=FILE]`: the metric work one cast does
 * (a command timer and counter at the gateway, an append timer and two appended-event counters)
 * and one log line, against a raw RSA-2048 private operation (the cast's own floor) measured in
 * the same rounds. The options load an earlier registry or logger module (from `git show`) to
 * measure beside today's, interleaved, so a busy host slows both alike.
 */
import { pino } from 'pino';
import { rawRsaPrivateOps } from './ballots.ts';
import { opsPerSecond } from './election-setup.ts';
import { REDACT_PATHS } from '../src/runtime/log.ts';

interface Registry {
  counter(name: string, help: string, labels: string[]): { inc(labels: Record<string, string>, by?: number): void };
  histogram(name: string, help: string, labels: string[]): { startTimer(labels: Record<string, string>): (more: Record<string, string>) => number };
}
interface Log {
  info(msg: string, fields: Record<string, unknown>): void;
}

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const ROUNDS = 5;
const ROUND_MS = 400;

async function registryModule(path: string): Promise<() => Registry> {
  const m = (await import(path)) as { createMetricsRegistry: () => Registry };
  return m.createMetricsRegistry;
}

async function loggerModule(path: string): Promise<Log> {
  const m = (await import(path)) as { createLogger: (o: object) => Log };
  // `write` for the hand-written logger, `destination` for pino: both drop the line.
  return m.createLogger({ level: 'info', write: () => {}, destination: { write: () => {} } });
}

function castMetricWork(createRegistry: () => Registry): () => void {
  const r = createRegistry();
  const commands = r.counter('evote_commands_total', 'x', ['name', 'outcome']);
  const commandDuration = r.histogram('evote_command_duration_seconds', 'x', ['name']);
  const appendDuration = r.histogram('evote_append_duration_seconds', 'x', ['op', 'outcome']);
  const appended = r.counter('evote_appended_events_total', 'x', ['category']);
  return () => {
    const stop = commandDuration.startTimer({ name: 'ballot.cast' });
    const stopAppend = appendDuration.startTimer({ op: 'appendMany' });
    stopAppend({ outcome: 'ok' });
    appended.inc({ category: 'credential' }, 1);
    appended.inc({ category: 'ballot' }, 1);
    commands.inc({ name: 'ballot.cast', outcome: 'ok' });
    stop({});
  };
}

const logLine = (log: Log) => () => log.info('request failed', { errorId: 'c5a1', kind: 'command', name: 'ballot.cast', errorClass: 'Error', error: 'boom' });
const nestedLogLine = (log: Log) => () => log.info('voter skipped', { electionId: 'e1', voter: { voterId: 'v1', email: 'a@b.example', row: 7 } });
/** The alternative not taken: pino's own wildcard paths for the nested fields (`*.email`, ...). */
const wildcardPino = pino({ level: 'info', redact: { paths: [...REDACT_PATHS, ...REDACT_PATHS.map((p) => (p.startsWith('[') ? `*${p}` : `*.${p}`))], censor: '[REDACTED]' } }, { write: () => {} });
const wildcardLog: Log = { info: (msg, fields) => wildcardPino.info(fields, msg) };

const subjects: [string, () => void][] = [['metrics of one cast, prom-client (src/runtime/metrics.ts)', castMetricWork(await registryModule('../src/runtime/metrics.ts'))]];
const oldMetrics = arg('old-metrics');
if (oldMetrics) subjects.push([`metrics of one cast, ${oldMetrics}`, castMetricWork(await registryModule(oldMetrics))]);
const log = await loggerModule('../src/runtime/log.ts');
subjects.push(['log line, pino with redaction (src/runtime/log.ts)', logLine(log)]);
subjects.push(['log line with a nested object, pino with redaction (src/runtime/log.ts)', nestedLogLine(log)]);
subjects.push(['log line, pino with wildcard redact paths one level down (not used)', logLine(wildcardLog)]);
const oldLog = arg('old-log');
if (oldLog) subjects.push([`log line, ${oldLog}`, logLine(await loggerModule(oldLog))]);

const rates = new Map<string, number[]>([['raw', []], ...subjects.map(([n]) => [n, []] as [string, number[]])]);
for (let round = 0; round < ROUNDS; round++) {
  rates.get('raw')!.push(rawRsaPrivateOps(ROUND_MS).rate);
  for (const [name, fn] of subjects) rates.get(name)!.push(opsPerSecond(ROUND_MS, fn));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raw = median(rates.get('raw')!);
console.log(`raw RSA-2048 private op: ${Math.round(raw).toLocaleString('en-US')}/s (${(1e6 / raw).toFixed(0)} µs), median of ${ROUNDS} rounds`);
for (const [name] of subjects) {
  const r = median(rates.get(name)!);
  console.log(`${name}: ${Math.round(r).toLocaleString('en-US')}/s, ${(1e9 / r).toFixed(0)} ns each = ${((100 * raw) / r).toFixed(2)} % of a raw RSA op`);
}
