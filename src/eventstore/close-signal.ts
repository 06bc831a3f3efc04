/**
 * A close that waits race against. `Promise.race` against a pending promise leaves it one reaction
 * per call until it settles (a leak, docs/operations.md, "Memory"); here a wait is dropped once its work settles.
 */
export class CloseSignal {
  private closed = false;
  private readonly waiters = new Set<() => void>();

  get isClosed(): boolean {
    return this.closed;
  }

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
