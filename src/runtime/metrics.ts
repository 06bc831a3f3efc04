/**
 * The metrics registry: prom-client, one registry per app instance, with the process's default
 * metrics (CPU, memory, GC, event-loop lag) on it. Label values must never carry secrets or
 * personal data (e-mails, tokens, voter ids): cardinality and privacy both suffer.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

export type { Counter, Gauge, Histogram } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;
export interface Sample {
  labels?: Labels;
  value: number;
}
export type GaugeCollect = () => Sample[] | number | Promise<Sample[] | number>;

export interface MetricsRegistry {
  /**
   * Registering a name again returns the existing metric when its kind and label names agree (a
   * decorator and the gateway can share one registry) and throws otherwise.
   */
  counter<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  /** A gauge read at scrape time; replaces an earlier callback of the same name. A failing callback leaves the gauge empty. */
  gaugeFn(name: string, help: string, labelNames: readonly string[], collect: GaugeCollect): void;
  histogram<L extends string = string>(name: string, help: string, labelNames?: readonly L[], buckets?: readonly number[]): Histogram<L>;
  /** The whole registry in the Prometheus text format (awaits gauge callbacks). */
  renderPrometheus(): Promise<string>;
  readonly registry: Registry;
}

export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** Seconds: from 1 ms (an in-memory append) to 10 s (a large CSV batch). */
export const DEFAULT_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processMetrics: Metric[] | undefined;
/**
 * The default metrics are made once per process and registered in every app registry: each
 * collectDefaultMetrics call starts a GC observer and an event-loop monitor that cannot be stopped.
 */
function defaultProcessMetrics(): Metric[] {
  if (!processMetrics) {
    const holder = new Registry();
    collectDefaultMetrics({ register: holder });
    processMetrics = holder.getMetricsAsArray().flatMap(({ name }) => holder.getSingleMetric(name) ?? []);
  }
  return processMetrics;
}

interface Entry {
  variant: string;
  labelNames: string;
  metric: unknown;
}

export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  for (const m of defaultProcessMetrics()) registry.registerMetric(m);
  const entries = new Map<string, Entry>();

  function getOrCreate<T>(variant: string, name: string, labelNames: readonly string[], make: () => T): T {
    const existing = entries.get(name);
    if (existing) {
      if (existing.variant !== variant || existing.labelNames !== labelNames.join()) {
        throw new Error(`metric ${name} already registered as a ${existing.variant} with labels [${existing.labelNames}]`);
      }
      return existing.metric as T;
    }
    const metric = make();
    entries.set(name, { variant, labelNames: labelNames.join(), metric });
    return metric;
  }

  const registers = [registry];
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      getOrCreate('counter', name, labelNames, () => new Counter({ name, help, labelNames, registers })),
    gauge: (name, help, labelNames = []) => getOrCreate('gauge', name, labelNames, () => new Gauge({ name, help, labelNames, registers })),
    histogram(name, help, labelNames = [], buckets = DEFAULT_BUCKETS) {
      const sorted = [...buckets].sort((a, b) => a - b);
      return getOrCreate(`histogram[${sorted.join()}]`, name, labelNames, () => new Histogram({ name, help, labelNames, buckets: sorted, registers }));
    },
    gaugeFn(name, help, labelNames, collect) {
      const holder = getOrCreate('gaugeFn', name, labelNames, () => {
        const h = { collect };
        new Gauge({
          name,
          help,
          labelNames,
          registers,
          async collect() {
            let out: Sample[] | number | undefined;
            try {
              out = await h.collect();
            } catch {
              // A failing source must not break the whole scrape; its absence is the signal.
            }
            this.reset();
            if (out === undefined) this.remove({});
            else if (typeof out === 'number') this.set(out);
            else for (const s of out) this.set(s.labels ?? {}, s.value);
          },
        });
        return h;
      });
      holder.collect = collect;
    },
    renderPrometheus: () => registry.metrics(),
  };
}
