/** `npm start`: the evote server (running modes in src/app/config.ts); SIGTERM/SIGINT drain gracefully. */
import { configFromEnv } from './app/config.ts';
import { startSystem } from './app/bootstrap.ts';
import { SHUTDOWN_BUDGET_MS } from './app/shutdown.ts';
import { startIdleReclaim } from './runtime/idle-reclaim.ts';
import { createLogger, LogLevelError, type Logger } from './runtime/log.ts';

const log: Logger = (() => {
  try {
    return createLogger();
  } catch (err) {
    if (!(err instanceof LogLevelError)) throw err;
    createLogger({ level: 'info' }).error('failed to start', { error: err.message, errorCode: err.code });
    process.exit(1);
  }
})();

async function main(): Promise<void> {
  const config = configFromEnv();
  // EVOTE_REDIS_PREFIX: pub/sub channel prefix, so several deployments (or test runs) can share one Redis.
  const system = await startSystem(config, { gateway: true, log, redisPrefix: process.env.EVOTE_REDIS_PREFIX || undefined });
  // The server's process only, not every system a test starts: a collection is process-wide.
  startIdleReclaim();
  let stopping = false;
  // Exit codes (docs/resilience.md): 0 when every in-flight request was answered, 1 when the drain
  // timed out or the backstop fired. Close steps that overran only log: nothing acknowledged depends on them.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => {
      log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS + 1_000).unref();
    system
      .close()
      .then(({ drained, clean }) => {
        log.info('shut down', { drained, clean });
        process.exit(drained ? 0 : 1);
      })
      .catch((err: unknown) => {
        log.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

process.on('unhandledRejection', (reason) => {
  // Logged, not fatal: one failed promise must not take down every voter's connection.
  log.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) });
});

main().catch((err: unknown) => {
  log.error('failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
