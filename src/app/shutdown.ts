/** Runs a process's close steps in order, each bounded, so a dead dependency cannot hold shutdown. */
import type { Logger } from '../runtime/log.ts';

export interface CloseStep {
  name: string;
  run(): Promise<unknown>;
}

/** Time for every step after the drain together; main.ts's backstop is the drain timeout plus this plus a margin. */
export const CLOSE_STEPS_BUDGET_MS = 3_500;
const STEP_MS = 1_500;
/** Even past the budget, a step gets this long: an open socket or timer left behind would keep tests alive. */
const LAST_CHANCE_MS = 100;

/** Runs each step, at most STEP_MS and within the shared budget; a step that fails or overruns is logged and left behind. True when all finished. */
export async function runCloseSteps(steps: readonly CloseStep[], log: Logger, budgetMs = CLOSE_STEPS_BUDGET_MS): Promise<boolean> {
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
