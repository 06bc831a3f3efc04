/** The ballot as the election's form asks for it: one radio group, checkboxes, rank selects, or a grade grid. */
import type { BallotForm } from '../../../src/domain/ballot-form.ts';
import { duplicateRanks, ordinal, type Draft } from './ballot-marks.ts';
import { useT } from './ui.tsx';

interface Props {
  form: BallotForm;
  candidates: readonly string[];
  draft: Draft;
  lang: string;
  onChange: (d: Draft) => void;
  /** The id of the message that says what is wrong, when something is. */
  errorId?: string;
}

const set = <X,>(xs: readonly X[], i: number, x: X): X[] => xs.map((y, j) => (j === i ? x : y));

/** The form's rule in words (shown above the choices and read with them). */
function ruleText(form: BallotForm, n: number, t: ReturnType<typeof useT>): string {
  switch (form.kind) {
    case 'single':
      return t('rule.single');
    case 'approval':
      if (form.max === undefined) return t('rule.approval.atLeast', { min: form.min });
      if (form.max === form.min) return t('rule.approval.exactly', { max: form.max });
      return t('rule.approval.range', { min: form.min, max: form.max });
    case 'ranked':
      if (form.full) return t('rule.ranked.full', { n });
      return form.maxRanks !== undefined && form.maxRanks < n ? t('rule.ranked.max', { max: form.maxRanks }) : t('rule.ranked.any');
    case 'graded':
      return t('rule.graded', { lowest: form.scale[0] ?? '' });
  }
}

export function BallotInputs({ form, candidates, draft, lang, onChange, errorId }: Props) {
  const t = useT();
  const described = ['ballot-rule', errorId].filter(Boolean).join(' ');
  const legend = t(`legend.${form.kind}`);
  return (
    <>
      <p id="ballot-rule" class="rule">
        {ruleText(form, candidates.length, t)}
      </p>
      {form.kind === 'single' && <SingleInput {...{ form, candidates, draft, onChange, described, legend }} />}
      {form.kind === 'approval' && <ApprovalInput {...{ form, candidates, draft, onChange, described, legend }} />}
      {form.kind === 'ranked' && <RankedInput {...{ form, candidates, draft, lang, onChange, described, legend }} />}
      {form.kind === 'graded' && <GradedInput {...{ form, candidates, draft, onChange, described, legend }} />}
      {form.blank && form.kind !== 'single' && (
        <div class="choice blank-choice">
          <input type="checkbox" id="ballot-blank" checked={draft.blank} onChange={(e) => onChange({ ...draft, blank: e.currentTarget.checked })} />
          <label for="ballot-blank">{t('ballot.blankOption')}</label>
        </div>
      )}
    </>
  );
}

interface Part {
  candidates: readonly string[];
  draft: Draft;
  onChange: (d: Draft) => void;
  described: string;
  legend: string;
}

function SingleInput({ form, candidates, draft, onChange, described, legend }: Part & { form: BallotForm }) {
  const t = useT();
  return (
    <fieldset class="choices" aria-describedby={described}>
      <legend>{legend}</legend>
      {candidates.map((c, i) => (
        <div class="choice" key={c}>
          <input type="radio" id={`choice-${i}`} name="choice" value={c} checked={!draft.blank && draft.choice === i} onChange={() => onChange({ ...draft, blank: false, choice: i })} />
          <label for={`choice-${i}`}>{c}</label>
        </div>
      ))}
      {form.blank && (
        <div class="choice blank-choice">
          <input type="radio" id="choice-blank" name="choice" value="" checked={draft.blank} onChange={() => onChange({ ...draft, blank: true, choice: null })} />
          <label for="choice-blank">{t('ballot.blankOption')}</label>
        </div>
      )}
    </fieldset>
  );
}

function ApprovalInput({ form, candidates, draft, onChange, described, legend }: Part & { form: Extract<BallotForm, { kind: 'approval' }> }) {
  const t = useT();
  const count = draft.approved.filter(Boolean).length;
  return (
    <fieldset class="choices" aria-describedby={described} disabled={draft.blank}>
      <legend>{legend}</legend>
      {candidates.map((c, i) => (
        <div class="choice" key={c}>
          <input type="checkbox" id={`choice-${i}`} checked={draft.approved[i] ?? false} onChange={(e) => onChange({ ...draft, approved: set(draft.approved, i, e.currentTarget.checked) })} />
          <label for={`choice-${i}`}>{c}</label>
        </div>
      ))}
      <p class="muted small count" aria-live="polite">
        {form.max === undefined ? t('approval.count', { count }) : t('approval.countOf', { count, max: form.max })}
      </p>
    </fieldset>
  );
}

function RankedInput({ form, candidates, draft, lang, onChange, described, legend }: Part & { form: Extract<BallotForm, { kind: 'ranked' }>; lang: string }) {
  const t = useT();
  const ranks = Math.min(candidates.length, form.maxRanks ?? candidates.length);
  const dups = duplicateRanks(draft.ranks);
  return (
    <fieldset class="choices ranks" aria-describedby={described} disabled={draft.blank}>
      <legend>{legend}</legend>
      {candidates.map((c, i) => {
        const r = draft.ranks[i] ?? null;
        const same = r === null ? undefined : dups.get(r)?.filter((j) => j !== i);
        return (
          <div class="rank-row" key={c}>
            <label for={`rank-${i}`}>{c}</label>
            <select
              id={`rank-${i}`}
              value={r === null ? '' : String(r)}
              aria-invalid={same ? 'true' : undefined}
              aria-describedby={same ? `rank-dup-${i}` : undefined}
              onChange={(e) => {
                const v = e.currentTarget.value;
                onChange({ ...draft, ranks: set(draft.ranks, i, v === '' ? null : Number(v)) });
              }}
            >
              <option value="">{t('ranked.notRanked')}</option>
              {Array.from({ length: ranks }, (_, k) => (
                <option key={k} value={String(k + 1)}>
                  {ordinal(k + 1, lang)}
                </option>
              ))}
            </select>
            {same && (
              <span id={`rank-dup-${i}`} class="flag">
                {t('ranked.sameAs', { rank: ordinal(r as number, lang), names: same.map((j) => candidates[j]).join(', ') })}
              </span>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

function GradedInput({ form, candidates, draft, onChange, described, legend }: Part & { form: Extract<BallotForm, { kind: 'graded' }> }) {
  const t = useT();
  return (
    <fieldset class="choices grades" aria-describedby={described} disabled={draft.blank}>
      <legend>{legend}</legend>
      {candidates.map((c, i) => (
        <fieldset class="grade-row" key={c}>
          <legend>{c}</legend>
          <div class="grade-options">
            {[null, ...form.scale.map((_, g) => g)].map((g) => (
              <span class="grade-option" key={g ?? 'none'}>
                <input
                  type="radio"
                  id={`grade-${i}-${g ?? 'none'}`}
                  name={`grade-${i}`}
                  checked={(draft.grades[i] ?? null) === g}
                  onChange={() => onChange({ ...draft, grades: set(draft.grades, i, g) })}
                />
                <label for={`grade-${i}-${g ?? 'none'}`}>{g === null ? t('graded.none.option') : form.scale[g]}</label>
              </span>
            ))}
          </div>
        </fieldset>
      ))}
    </fieldset>
  );
}
