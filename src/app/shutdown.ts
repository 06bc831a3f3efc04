/** Runs a process's close steps in order, each bounded, so a dead dependency cannot hold shutdown. */
import type { Logger } from '../runtime/log.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../gateway/gateway.ts';

export interface CloseStep {
  name: string;
  run(): Promise<unknown>;
}

/** From the start of shutdown to the end of the last close step: the drain's bound plus 3.5 s; what the drain leaves unused goes to the steps. */
export const SHUTDOWN_BUDGET_MS = DEFAULT_DRAIN_TIMEOUT_MS + 3_500;
/** One step's bound: generous, since on a loaded machine a projection batch or a worker's exit takes a while. */
const STEP_MS = 5_000;
/** Even past the budget, a step gets this long: an open socket or timer left behind would keep tests alive. */
const LAST_CHANCE_MS = 100;

/** Runs each step, at most STEP_MS and within the shared budget; a step that fails or overruns is logged and left behind. True when all finished. */
export async function runCloseSteps(steps: readonly CloseStep[], log: Logger, budgetMs: number): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  let clean = true;
  for (const step of steps) {
    const limit = Math.max(LAST_CHANCE_MS, Math.min(STEP_MS, deadline - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => {
      timer = setTimeout(() => resolve('overran'), limit);
    });
    try {
      if ((await Promise.race([step.run().then(() => 'done' as const), overran])) === 'overran') {
        clean = false;
        log.warn('close step did not finish in time; left behind', { step: step.name, ms: limit });
      }
    } catch (err) {
      clean = false;
      log.warn('close step failed', { step: step.name, error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }
  return clean;
}
