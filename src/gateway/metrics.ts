/**
 * A minimal Prometheus registry (text exposition format 0.0.4), with no dependency: counters and
 * histograms with labels, gauges set directly or read from a collect callback at scrape time.
 *
 * Registering a name twice returns the existing metric when the type and label names agree (so a
 * decorator and the gateway can share one registry) and throws otherwise. Label values must never
 * carry secrets or personal data (e-mails, tokens, voter ids): cardinality and privacy both suffer.
 */

export type Labels = Readonly<Record<string, string>>;
export interface Sample {
  labels?: Labels;
  value: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Gauge {
  set(labels: Labels | undefined, value: number): void;
  inc(labels?: Labels, by?: number): void;
  dec(labels?: Labels, by?: number): void;
}

export interface Histogram {
  observe(labels: Labels | undefined, value: number): void;
  /** Starts a timer; calling the result observes the elapsed seconds (labels merged) and returns them. */
  startTimer(labels?: Labels): (moreLabels?: Labels) => number;
}

export type GaugeCollect = () => Sample[] | number | Promise<Sample[] | number>;

export interface MetricsRegistry {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** A gauge whose samples are read at scrape time; replaces an earlier callback of the same name. */
  gaugeFn(name: string, help: string, labelNames: readonly string[], collect: GaugeCollect): void;
  histogram(name: string, help: string, labelNames?: readonly string[], buckets?: readonly number[]): Histogram;
  /** The whole registry in Prometheus text format 0.0.4 (awaits gauge callbacks). */
  renderPrometheus(): Promise<string>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds: from 1 ms (an in-memory append) to 10 s (a large CSV batch). */
export const DEFAULT_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Kind = 'counter' | 'gauge' | 'histogram';

interface Family {
  kind: Kind;
  /** Distinguishes a settable gauge from a callback gauge, which share the Prometheus type. */
  variant: string;
  name: string;
  help: string;
  labelNames: readonly string[];
  render(): Promise<string[]>;
  api: unknown;
}

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** Canonical key of a label set (declared label order), checking the names against the declaration. */
function labelKey(metric: string, labelNames: readonly string[], labels: Labels | undefined): { key: string; labels: Labels } {
  const given = labels ?? {};
  for (const k of Object.keys(given)) {
    if (!labelNames.includes(k)) throw new Error(`metric ${metric}: undeclared label ${k}`);
  }
  const ordered: Record<string, string> = {};
  for (const k of labelNames) {
    const v = given[k];
    if (v === undefined) throw new Error(`metric ${metric}: missing label ${k}`);
    ordered[k] = v;
  }
  return { key: JSON.stringify(labelNames.map((k) => ordered[k])), labels: ordered };
}

function header(name: string, help: string, kind: Kind): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${kind}`];
}

export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();

  function register<T>(
    kind: Kind,
    variant: string,
    name: string,
    help: string,
    labelNames: readonly string[],
    make: () => Pick<Family, 'render'> & { api: T },
  ): T {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || (kind === 'histogram' && l === 'le')) throw new Error(`metric ${name}: invalid label name ${l}`);
    }
    const existing = families.get(name);
    if (existing) {
      if (existing.variant !== variant || existing.labelNames.join() !== labelNames.join()) {
        throw new Error(`metric ${name} already registered as a ${existing.variant} with labels [${existing.labelNames.join()}]`);
      }
      return existing.api as T;
    }
    const family: Family = { kind, variant, name, help, labelNames, ...make() };
    families.set(name, family);
    return family.api as T;
  }

  function valueSeries(name: string, labelNames: readonly string[], allowDecrease: boolean) {
    const series = new Map<string, { labels: Labels; value: number }>();
    const add = (labels: Labels | undefined, by: number) => {
      if (!allowDecrease && !(by >= 0)) throw new Error(`counter ${name}: increment must be non-negative`);
      const { key, labels: ordered } = labelKey(name, labelNames, labels);
      const s = series.get(key);
      if (s) s.value += by;
      else series.set(key, { labels: ordered, value: by });
    };
    const set = (labels: Labels | undefined, value: number) => {
      const { key, labels: ordered } = labelKey(name, labelNames, labels);
      series.set(key, { labels: ordered, value });
    };
    const lines = () => [...series.values()].map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    return { add, set, lines };
  }

  return {
    counter(name, help, labelNames = []) {
      return register<Counter>('counter', 'counter', name, help, labelNames, () => {
        const s = valueSeries(name, labelNames, false);
        return {
          api: { inc: (labels, by = 1) => s.add(labels, by) },
          render: async () => s.lines(),
        };
      });
    },

    gauge(name, help, labelNames = []) {
      return register<Gauge>('gauge', 'gauge', name, help, labelNames, () => {
        const s = valueSeries(name, labelNames, true);
        return {
          api: { set: (labels, v) => s.set(labels, v), inc: (labels, by = 1) => s.add(labels, by), dec: (labels, by = 1) => s.add(labels, -by) },
          render: async () => s.lines(),
        };
      });
    },

    gaugeFn(name, help, labelNames, collect) {
      const holder = register<{ collect: GaugeCollect }>('gauge', 'gaugeFn', name, help, labelNames, () => {
        const api = { collect };
        return {
          api,
          render: async () => {
            let out: Sample[] | number;
            try {
              out = await api.collect();
            } catch {
              // A failing source must not break the whole scrape; its absence is the signal.
              return [];
            }
            const samples = typeof out === 'number' ? [{ value: out }] : out;
            return samples.map((smp) => `${name}${formatLabels(labelKey(name, labelNames, smp.labels).labels)} ${formatValue(smp.value)}`);
          },
        };
      });
      holder.collect = collect;
    },

    histogram(name, help, labelNames = [], buckets = DEFAULT_BUCKETS) {
      const bounds = [...buckets].sort((a, b) => a - b);
      return register<Histogram>('histogram', `histogram[${bounds.join()}]`, name, help, labelNames, () => {
        const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
        const observe = (labels: Labels | undefined, value: number) => {
          const { key, labels: ordered } = labelKey(name, labelNames, labels);
          let s = series.get(key);
          if (!s) {
            s = { labels: ordered, counts: bounds.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          // Stored per bucket, made cumulative at render time.
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
          s.sum += value;
          s.count += 1;
        };
        return {
          api: {
            observe,
            startTimer: (labels) => {
              const start = process.hrtime.bigint();
              return (more) => {
                const seconds = Number(process.hrtime.bigint() - start) / 1e9;
                observe({ ...labels, ...more }, seconds);
                return seconds;
              };
            },
          },
          render: async () => {
            const lines: string[] = [];
            for (const s of series.values()) {
              let cumulative = 0;
              bounds.forEach((b, i) => {
                cumulative += s.counts[i] ?? 0;
                lines.push(`${name}_bucket${formatLabels(s.labels, ['le', formatValue(b)])} ${cumulative}`);
              });
              lines.push(`${name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.count}`);
              lines.push(`${name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
              lines.push(`${name}_count${formatLabels(s.labels)} ${s.count}`);
            }
            return lines;
          },
        };
      });
    },

    async renderPrometheus() {
      const parts: string[] = [];
      for (const f of families.values()) {
        parts.push(...header(f.name, f.help, f.kind), ...(await f.render()));
      }
      return parts.join('\n') + '\n';
    },
  };
}
