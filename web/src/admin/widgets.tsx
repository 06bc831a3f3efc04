import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { EvoteError } from './api.ts';
import { errorSentence, t } from './messages.ts';

/** An error as the operator reads it: its code, a sentence in their language, the file's line, the server's words. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error == null) return null;
  const code = error instanceof EvoteError ? error.code : 'UNKNOWN';
  const line = error instanceof EvoteError && typeof error.details?.line === 'number' ? error.details.line : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  return (
    <div class="admin-error" role="alert">
      <p>
        <strong>{t('err.code', { code })}</strong> — {errorSentence(code)}
        {line !== undefined ? ` ${t('err.line', { line })}` : ''}
      </p>
      {detail ? <p class="muted mono">{detail}</p> : null}
    </div>
  );
}

/** Progress of a long command: a bar, and its words in a polite live region (always rendered, so updates are announced). */
export function Live({ id, text, done, total }: { id: string; text: string; done?: number; total?: number }) {
  return (
    <div class="admin-live">
      {total !== undefined && done !== undefined ? <progress id={`${id}-bar`} max={Math.max(total, 1)} value={Math.min(done, total)} aria-labelledby={`${id}-text`} /> : null}
      <p id={`${id}-text`} role="status" aria-live="polite" aria-atomic="true">
        {text}
      </p>
    </div>
  );
}

/** A button for an irreversible step: a first press asks, a second (Confirm, focused) does it; Cancel returns the focus. */
export function ConfirmButton({ label, busy, onConfirm }: { label: string; busy: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) first.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={first} disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div class="admin-confirm" role="group" aria-label={label}>
      <p>{t('confirm.irreversible')}</p>
      <div class="admin-row">
        <button
          type="button"
          ref={confirm}
          onClick={() => {
            wasAsking.current = false;
            setAsking(false);
            onConfirm();
          }}
        >
          {t('confirm')} — {label}
        </button>
        <button type="button" class="secondary" onClick={() => setAsking(false)}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}

export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

/** Runs one operation at a time for a section: busy flag, last error, last success text. */
export function useOperation() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  async function run(fn: () => Promise<string | void>): Promise<void> {
    setBusy(true);
    setError(null);
    setDone('');
    try {
      setDone((await fn()) ?? '');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, done, run, setDone, setError };
}
