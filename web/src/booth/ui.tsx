/** Small pieces the booth's pages share: the translator type, focused step headings, error boxes. */
import { createContext } from 'preact';
import { useContext, useLayoutEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { errorKey } from './messages.ts';

export type T = (key: string, vars?: Record<string, string | number>) => string;

export const I18n = createContext<T>((k) => k);
export const useT = () => useContext(I18n);

/** A step's heading, focused when it appears so keyboard and screen-reader users land on the new step. */
export function StepHeading({ children, focus = true, level = 1, id }: { children: ComponentChildren; focus?: boolean; level?: 1 | 2; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // A layout effect runs in the same task that inserts the heading, so focus never lags the new step
  // (a plain effect runs after paint: a keypress in between went to <body>).
  useLayoutEffect(() => {
    if (focus) ref.current?.focus();
  }, []);
  const H = level === 1 ? 'h1' : 'h2';
  return (
    <H ref={ref} id={id} tabIndex={-1} class="step-heading">
      {children}
    </H>
  );
}

export interface ShownError {
  code: string;
  details?: Record<string, unknown>;
}

/** The voter-facing sentence for an error, in the page's language. */
export function errorText(t: T, e: ShownError): string {
  const retry = e.details?.retryAfterMs;
  return t(errorKey(e.code), { seconds: typeof retry === 'number' ? Math.max(1, Math.ceil(retry / 1000)) : 60 });
}

/** An error announced at once (role=alert), with its code to quote to the officials. */
export function ErrorBox({ error, children }: { error: ShownError; children?: ComponentChildren }) {
  const t = useT();
  return (
    <div class="panel error-box" role="alert" data-code={error.code}>
      <p class="error">{errorText(t, error)}</p>
      <p class="muted small">{t('error.code', { code: error.code })}</p>
      {children}
    </div>
  );
}

/** The election fingerprint in groups of four, as the letter prints it. */
export { formatFingerprint } from '../../../src/crypto/election-fingerprint-core.ts';
