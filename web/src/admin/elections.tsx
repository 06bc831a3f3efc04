import { useEffect, useState } from 'preact/hooks';
import { MAX_CHOICES, MIN_CHOICES } from '../../../src/domain/election.ts';
import type { AdminSession, ElectionRow } from './api.ts';
import { t, type Key } from './messages.ts';
import { DEFAULT_DRAFT, rulesPayload, type RulesDraft } from './ballot-rules.ts';
import { BallotRulesFields } from './ballot-rules-fields.tsx';
import { ErrorBox, Live, useOperation } from './widgets.tsx';

export interface ElectionFields {
  theme: string;
  choices: string[];
  expectedVoters: number;
  /** ISO-8601 with an offset, or null for none. */
  closesAt: string | null;
  /** Method, form, seats and weights: creation only (fixed once created). */
  rules?: RulesDraft;
}

/** "YYYY-MM-DDTHH:mm" in local time, what <input type=datetime-local> shows. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

let formSeq = 0;

/** Theme, choices (rows added and removed), expected voters and closing time: creation and configuration alike; the ballot's rules when `initial.rules` is given. */
export function ElectionForm({ initial, submitLabel, onSubmit, busy }: { initial: ElectionFields; submitLabel: string; onSubmit: (f: ElectionFields) => void; busy: boolean }) {
  const [uid] = useState(() => `ef${++formSeq}`);
  const [theme, setTheme] = useState(initial.theme);
  const [choices, setChoices] = useState<string[]>(initial.choices.length >= MIN_CHOICES ? initial.choices : [...initial.choices, '', ''].slice(0, MIN_CHOICES));
  const [expected, setExpected] = useState(String(initial.expectedVoters || ''));
  const [closes, setCloses] = useState(toLocalInput(initial.closesAt));
  const [rules, setRules] = useState(initial.rules);
  const [focusRow, setFocusRow] = useState<number | null>(null);

  useEffect(() => {
    if (focusRow === null) return;
    document.getElementById(`${uid}-choice-${focusRow}`)?.focus();
    setFocusRow(null);
  }, [focusRow, uid]);

  const setChoice = (i: number, v: string) => setChoices(choices.map((c, k) => (k === i ? v : c)));
  const remove = (i: number) => {
    setChoices(choices.filter((_, k) => k !== i));
    setFocusRow(Math.min(i, choices.length - 2));
  };
  const add = () => {
    setChoices([...choices, '']);
    setFocusRow(choices.length);
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({
          theme: theme.trim(),
          choices: choices.map((c) => c.trim()),
          expectedVoters: Number(expected),
          closesAt: closes ? new Date(closes).toISOString() : null,
          ...(rules && { rules }),
        });
      }}
    >
      <label for={`${uid}-theme`}>{t('form.theme')}</label>
      <input id={`${uid}-theme`} class="admin-wide" required maxLength={500} value={theme} onInput={(e) => setTheme(e.currentTarget.value)} />
      <fieldset>
        <legend>{t('form.choices')}</legend>
        <ol class="admin-choices">
          {choices.map((c, i) => (
            <li key={i}>
              <label class="visually-hidden" for={`${uid}-choice-${i}`}>
                {t('form.choice', { n: i + 1 })}
              </label>
              <input id={`${uid}-choice-${i}`} required value={c} onInput={(e) => setChoice(i, e.currentTarget.value)} />
              <button type="button" class="secondary" disabled={choices.length <= MIN_CHOICES} onClick={() => remove(i)} aria-label={t('form.removeChoice', { n: i + 1 })}>
                ✕
              </button>
            </li>
          ))}
        </ol>
        <button type="button" class="secondary" disabled={choices.length >= MAX_CHOICES} onClick={add}>
          {t('form.addChoice')}
        </button>
      </fieldset>
      <div class="admin-fields">
        <div>
          <label for={`${uid}-expected`}>{t('form.expected')}</label>
          <input id={`${uid}-expected`} type="number" inputMode="numeric" min={1} step={1} required value={expected} onInput={(e) => setExpected(e.currentTarget.value)} />
        </div>
        <div>
          <label for={`${uid}-closes`}>{t('form.closesAt')}</label>
          <input id={`${uid}-closes`} type="datetime-local" value={closes} onInput={(e) => setCloses(e.currentTarget.value)} />
        </div>
      </div>
      {rules ? <BallotRulesFields uid={uid} draft={rules} onChange={setRules} /> : null}
      <p>
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </p>
    </form>
  );
}

/** The election list, and the form creating a new one (a closing time is set by a configure right after). */
export function ElectionList({ session, onOpen }: { session: AdminSession; onOpen: (id: string) => void }) {
  const [rows, setRows] = useState<ElectionRow[] | null>(null);
  const list = useOperation();
  const create = useOperation();
  const [formKey, setFormKey] = useState(0);

  const load = () =>
    list.run(async () => {
      setRows(await session.listElections());
    });
  useEffect(() => {
    void load();
  }, [session]);

  return (
    <>
      <section aria-labelledby="elections-title">
        <div class="admin-row admin-between">
          <h2 id="elections-title" tabIndex={-1}>
            {t('list.title')}
          </h2>
          <button type="button" class="secondary" onClick={load} disabled={list.busy}>
            {t('refresh')}
          </button>
        </div>
        <ErrorBox error={list.error} />
        {rows && rows.length === 0 ? <p class="muted">{t('list.empty')}</p> : null}
        {rows && rows.length > 0 ? (
          <ul class="admin-cards">
            {[...rows].reverse().map((e) => (
              <li key={e.electionId} class="admin-card">
                <div>
                  <strong class="admin-theme">{e.theme}</strong>
                  <span class={`admin-status admin-status-${e.status}`}>{t(`status.${e.status}` as Key)}</span>
                </div>
                <div class="muted">{t('list.voters', { count: e.voterCount, expected: e.expectedVoters })}</div>
                <div class="muted mono">{e.electionId}</div>
                <button type="button" onClick={() => onOpen(e.electionId)} aria-label={t('list.openNamed', { theme: e.theme })}>
                  {t('list.open')}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section class="panel" aria-labelledby="create-title">
        <h2 id="create-title">{t('create.title')}</h2>
        <ElectionForm
          key={formKey}
          initial={{ theme: '', choices: ['', ''], expectedVoters: 0, closesAt: null, rules: { ...DEFAULT_DRAFT, scale: t('rules.scaleDefault') } }}
          submitLabel={t('form.create')}
          busy={create.busy}
          onSubmit={(f) =>
            create.run(async () => {
              const { electionId } = await session.createElection({ theme: f.theme, choices: f.choices, expectedVoters: f.expectedVoters, ...(f.rules && rulesPayload(f.rules)) });
              if (f.closesAt) await session.configureElection({ electionId, closesAt: f.closesAt });
              setFormKey((k) => k + 1);
              onOpen(electionId);
            })
          }
        />
        <ErrorBox error={create.error} />
        <Live id="create-live" text={create.busy ? t('working') : create.done} />
      </section>
    </>
  );
}
