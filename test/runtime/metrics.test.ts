import { describe, it, expect } from 'vitest';
import { createMetricsRegistry } from '../../src/runtime/metrics.ts';

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix + ' '));

describe('metrics registry (prom-client)', () => {
  it('renders counters with labels, HELP and TYPE', async () => {
    const r = createMetricsRegistry();
    const c = r.counter('evote_test_total', 'A test counter', ['name', 'outcome']);
    c.inc({ name: 'a', outcome: 'ok' });
    c.inc({ outcome: 'ok', name: 'a' }, 2); // label order does not matter
    c.inc({ name: 'b', outcome: 'error' });
    const text = await r.renderPrometheus();
    expect(text).toContain('# HELP evote_test_total A test counter\n# TYPE evote_test_total counter\n');
    expect(line(text, 'evote_test_total{name="a",outcome="ok"}')).toBe('evote_test_total{name="a",outcome="ok"} 3');
    expect(line(text, 'evote_test_total{name="b",outcome="error"}')).toBe('evote_test_total{name="b",outcome="error"} 1');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values and help text', async () => {
    const r = createMetricsRegistry();
    r.counter('evote_esc_total', 'back\\slash\nnewline', ['v']).inc({ v: 'a"b\\c\nd' });
    const text = await r.renderPrometheus();
    expect(text).toContain('# HELP evote_esc_total back\\\\slash\\nnewline\n');
    expect(text).toContain('evote_esc_total{v="a\\"b\\\\c\\nd"} 1');
  });

  it('renders cumulative histogram buckets, sum and count', async () => {
    const r = createMetricsRegistry();
    const h = r.histogram('evote_lat_seconds', 'Latency', ['op'], [0.1, 1, 10]);
    for (const v of [0.05, 0.5, 0.5, 5, 50]) h.observe({ op: 'x' }, v);
    const text = await r.renderPrometheus();
    expect(line(text, 'evote_lat_seconds_bucket{le="0.1",op="x"}')).toMatch(/ 1$/);
    expect(line(text, 'evote_lat_seconds_bucket{le="1",op="x"}')).toMatch(/ 3$/);
    expect(line(text, 'evote_lat_seconds_bucket{le="10",op="x"}')).toMatch(/ 4$/);
    expect(line(text, 'evote_lat_seconds_bucket{le="+Inf",op="x"}')).toMatch(/ 5$/);
    expect(line(text, 'evote_lat_seconds_sum{op="x"}')).toBe('evote_lat_seconds_sum{op="x"} 56.05');
    expect(line(text, 'evote_lat_seconds_count{op="x"}')).toBe('evote_lat_seconds_count{op="x"} 5');
  });

  it('times with startTimer', async () => {
    const r = createMetricsRegistry();
    const h = r.histogram('evote_timer_seconds', 'Timer', ['op', 'outcome']);
    const stop = h.startTimer({ op: 'wait' });
    await new Promise((res) => setTimeout(res, 30));
    const seconds = stop({ outcome: 'ok' });
    expect(seconds).toBeGreaterThanOrEqual(0.025);
    expect(seconds).toBeLessThan(5);
    expect(await r.renderPrometheus()).toContain('evote_timer_seconds_count{op="wait",outcome="ok"} 1');
  });

  it('reads callback gauges at scrape time and replaces the callback on re-registration', async () => {
    const r = createMetricsRegistry();
    let lag = 7;
    r.gaugeFn('evote_projection_lag_events', 'Lag', ['projection'], async () => [{ labels: { projection: 'elections' }, value: lag }]);
    expect(await r.renderPrometheus()).toContain('evote_projection_lag_events{projection="elections"} 7');
    lag = 0;
    expect(await r.renderPrometheus()).toContain('evote_projection_lag_events{projection="elections"} 0');
    r.gaugeFn('evote_projection_lag_events', 'Lag', ['projection'], () => [{ labels: { projection: 'voters' }, value: 3 }]);
    const text = await r.renderPrometheus();
    expect(text).toContain('evote_projection_lag_events{projection="voters"} 3');
    expect(text).not.toContain('projection="elections"');
  });

  it('keeps scraping when a gauge callback fails', async () => {
    const r = createMetricsRegistry();
    r.gaugeFn('evote_broken', 'Broken', [], () => {
      throw new Error('source down');
    });
    r.gauge('evote_ok', 'Ok').set(2);
    const text = await r.renderPrometheus();
    expect(text).toContain('evote_ok 2');
    expect(text).not.toMatch(/^evote_broken /m);
  });

  it('settable gauges go up and down', async () => {
    const r = createMetricsRegistry();
    const g = r.gauge('evote_ws_connections', 'Open connections');
    g.inc();
    g.inc();
    g.dec();
    expect(line(await r.renderPrometheus(), 'evote_ws_connections')).toBe('evote_ws_connections 1');
  });

  it('returns the same metric for the same name and refuses conflicting registrations', () => {
    const r = createMetricsRegistry();
    const a = r.counter('evote_same_total', 'x', ['code']);
    expect(r.counter('evote_same_total', 'x', ['code'])).toBe(a);
    expect(() => r.counter('evote_same_total', 'x', ['other'])).toThrow(/already registered/);
    expect(() => r.gauge('evote_same_total', 'x', ['code'])).toThrow(/already registered/);
  });

  it('refuses undeclared labels without echoing their values, bad names and negative counter increments', () => {
    const r = createMetricsRegistry();
    const c = r.counter('evote_l_total', 'x', ['code']);
    const undeclared = (() => {
      try {
        c.inc({ code: 'A', email: 'voter@example.org' } as never);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(undeclared).toMatch(/"email" is not included/);
    expect(undeclared).not.toContain('voter@example.org');
    expect(() => c.inc({ code: 'A' }, -1)).toThrow(/not possible to decrease/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/i);
    expect(() => r.histogram('evote_h', 'x', ['le'])).toThrow(/le/);
  });

  it('leaves a failing unlabelled callback gauge empty, not at zero', async () => {
    const r = createMetricsRegistry();
    let fail = false;
    r.gaugeFn('evote_flaky', 'Flaky', [], () => {
      if (fail) throw new Error('source down');
      return 5;
    });
    expect(line(await r.renderPrometheus(), 'evote_flaky')).toBe('evote_flaky 5');
    fail = true;
    expect(await r.renderPrometheus()).not.toMatch(/^evote_flaky /m);
  });

  it("exports the process's default metrics in every registry of the process", async () => {
    const [a, b] = [createMetricsRegistry(), createMetricsRegistry()];
    a.counter('evote_a_total', 'a');
    b.counter('evote_a_total', 'a');
    for (const r of [a, b]) {
      const text = await r.renderPrometheus();
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'process_start_time_seconds',
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_heap_size_used_bytes',
        'nodejs_gc_duration_seconds',
        'nodejs_version_info',
      ]) {
        expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      }
      expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(text).toMatch(/^evote_a_total 0$/m);
    }
  });
});
