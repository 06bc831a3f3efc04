/**
 * The IPC of bench/flood.ts's child processes: parent → input; child → 'ready'; parent → 'go';
 * child → {report} (or {error}) and disconnects.
 */
export type FromFloodChild<R> = 'ready' | { report: R } | { error: string };

/** Runs `flood` on the parent's input; it calls `ready()` once connected, which resolves on 'go'. */
export function serveFloodChild<I, R>(flood: (input: I, ready: () => Promise<void>) => Promise<R>): void {
  const send = (m: FromFloodChild<R>) => process.send?.(m);
  let go: (() => void) | undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  process.on('message', (m: I | 'go') => {
    if (m === 'go') return go?.();
    flood(m, async () => {
      send('ready');
      await started;
    }).then(
      (report) => {
        send({ report });
        process.disconnect();
      },
      (err: unknown) => {
        send({ error: (err as Error).message });
        process.disconnect();
      },
    );
  });
}
