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
