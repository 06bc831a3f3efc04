/**
 * The IPC step the bench's load processes share: the next message from a child, failing when it
 * exits first or reports `{ error }`.
 */
import type { ChildProcess } from 'node:child_process';

export function nextFromChild<T>(child: ChildProcess, what: string): Promise<Exclude<T, { error: string }>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code} before reporting`));
    child.once('exit', onExit);
    child.once('message', (m: T) => {
      child.off('exit', onExit);
      if (typeof m === 'object' && m !== null && 'error' in m) reject(new Error(`${what} failed: ${(m as { error: string }).error}`));
      else resolve(m as Exclude<T, { error: string }>);
    });
  });
}

/**
 * The child's side: on the parent's input, `run` prepares and calls `ready()` (sends 'ready', resolves
 * on 'go'); its result goes back as `{ report }`, a failure as `{ error }`; then the channel closes.
 */
export function serveLoad<I, R>(run: (input: I, ready: () => Promise<void>) => Promise<R>): void {
  const send = (m: 'ready' | { report: R } | { error: string }) => process.send?.(m);
  let go: (() => void) | undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  process.on('message', (m: I | 'go') => {
    if (m === 'go') return go?.();
    const ready = async () => {
      send('ready');
      await started;
    };
    run(m, ready)
      .then((report) => send({ report }), (err: unknown) => send({ error: (err as Error).message }))
      .finally(() => process.disconnect());
  });
}
