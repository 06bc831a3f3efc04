/** Human text or `--json` on stdout, one-line errors on stderr, progress as a bar or as plain lines. */
export interface OutputOptions {
  json: boolean;
}

export function printResult<T>(opts: OutputOptions, value: T, human: (v: T) => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(value) + '\n');
  else process.stdout.write(human(value) + '\n');
}

export function printError(opts: OutputOptions, code: string, message: string): void {
  if (opts.json) process.stderr.write(JSON.stringify({ error: { code, message } }) + '\n');
  else process.stderr.write(`evote: ${code}: ${message}\n`);
}

export interface Progress {
  update(done: number, total: number, extra?: string): void;
  finish(): void;
}

/** A bar on a TTY (stderr), one line per update (at most every 10%) otherwise; silent with --json. */
export function createProgress(label: string, opts: OutputOptions): Progress {
  const tty = Boolean(process.stderr.isTTY) && !opts.json;
  let lastDecile = -1;
  let lastDone = -1;
  let drawn = false;
  return {
    update(done, total, extra) {
      if (opts.json) return;
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      if (tty) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${extra ? ` ${extra}` : ''}`);
        drawn = true;
      } else {
        const decile = Math.floor(pct / 10);
        // One line per decile, plus the final one once (not again for every repeat of done = total).
        if (decile === lastDecile && (done !== total || done === lastDone)) return;
        lastDecile = decile;
        lastDone = done;
        process.stderr.write(`${label}: ${done}/${total} (${pct}%)${extra ? ` ${extra}` : ''}\n`);
      }
    },
    finish() {
      if (tty && drawn) process.stderr.write('\n');
    },
  };
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
