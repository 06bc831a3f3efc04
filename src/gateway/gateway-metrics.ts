/**
 * The gateway's metrics. Labels hold only bounded, non-personal values: catalogue message names
 * (never a client-supplied name that failed lookup), outcomes and error codes.
 */
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../runtime/metrics.ts';

export type CommandOutcome = 'ok' | 'rejected' | 'error';

export interface GatewayMetrics {
  connections: Gauge;
  commands: Counter;
  errors: Counter;
  commandDuration: Histogram;
  upgradesRefused: Counter;
}

export function createGatewayMetrics(registry: MetricsRegistry): GatewayMetrics {
  const upgradesRefused = registry.counter(
    'evote_ws_upgrades_refused_total',
    'WebSocket upgrades refused with 429 by the per-source limits (reason: open = too many open, rate = too many new per second)',
    ['reason'],
  );
  // Both reasons exported from the start, at 0, so a dashboard sees the series before the first refusal.
  for (const reason of ['open', 'rate']) upgradesRefused.inc({ reason }, 0);
  return {
    upgradesRefused,
    connections: registry.gauge('evote_ws_connections', 'Open WebSocket connections'),
    commands: registry.counter(
      'evote_commands_total',
      'Commands handled, by name and outcome (ok; rejected: refused by validation, auth or the domain; error: internal failure)',
      ['name', 'outcome'],
    ),
    errors: registry.counter('evote_errors_total', 'Error replies sent, by error code', ['code']),
    commandDuration: registry.histogram('evote_command_duration_seconds', 'Command handling time, including the wait for projections', [
      'name',
    ]),
  };
}
