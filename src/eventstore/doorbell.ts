/**
 * Wakes caught-up subscriptions; a generation counter closes the race between "read found nothing"
 * and "start waiting".
 */
export class Doorbell {
  private gen = 0;
  private readonly waiters = new Set<() => void>();

  get generation(): number {
    return this.gen;
  }

  ring(): void {
    this.gen += 1;
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when the bell rang after `sinceGeneration`, or after `timeoutMs` (the poll safety net). */
  wait(sinceGeneration: number, timeoutMs: number): Promise<void> {
    if (this.gen !== sinceGeneration) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }
}
