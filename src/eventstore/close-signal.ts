/**
 * A close that a subscription's pending waits race against. `Promise.race([work, closed])` on one
 * long-lived pending promise adds a reaction to it per call, kept until close: a tail reader held
 * ~30,000 of them (and what they resolved) after a 300-voter election (docs/operations.md, "Memory").
 * Here a wait's wake-up is dropped as soon as its work settles.
 */
export class CloseSignal {
  private closed = false;
  private readonly waiters = new Set<() => void>();

  get isClosed(): boolean {
    return this.closed;
  }

  /** Waits still registered: those whose work has not settled. */
  get waiting(): number {
    return this.waiters.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** `work`'s outcome, or `onClose` if the signal closes first; a late failure of `work` is then ignored. */
  race<T, C>(work: Promise<T>, onClose: C): Promise<T | C> {
    if (this.closed) {
      work.catch(() => {});
      return Promise.resolve(onClose);
    }
    return new Promise<T | C>((resolve, reject) => {
      const wake = () => resolve(onClose);
      this.waiters.add(wake);
      work.then(
        (value) => {
          this.waiters.delete(wake);
          resolve(value);
        },
        (err: unknown) => {
          this.waiters.delete(wake);
          reject(err);
        },
      );
    });
  }
}
