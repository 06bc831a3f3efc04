import type { BallotRules } from '../../../src/domain/ballot-form.ts';
import type { WeightClass } from '../../../src/domain/weight-classes.ts';
import { METHOD_FORM, METHOD_NAMES, fillsSeveralSeats, type MethodName, type RulesDraft } from './ballot-rules.ts';
import { t, type Key } from './messages.ts';

function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div class="admin-radio">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

function Count({ id, label, value, onInput, required }: { id: string; label: string; value: string; onInput: (v: string) => void; required?: boolean }) {
  return (
    <div>
      <label for={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={1} step={1} required={required} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </div>
  );
}

/** The counting method first; then only the fields of the form that method counts (docs/web.md, "Creating an election"). */
export function BallotRulesFields({ uid, draft, onChange }: { uid: string; draft: RulesDraft; onChange: (d: RulesDraft) => void }) {
  const set = (patch: Partial<RulesDraft>) => onChange({ ...draft, ...patch });
  const kind = METHOD_FORM[draft.method];
  return (
    <fieldset class="admin-rules">
      <legend>{t('rules.legend')}</legend>
      <label for={`${uid}-method`}>{t('rules.method')}</label>
      <select id={`${uid}-method`} class="admin-wide" value={draft.method} aria-describedby={`${uid}-method-hint`} onChange={(e) => set({ method: e.currentTarget.value as MethodName })}>
        {METHOD_NAMES.map((m) => (
          <option key={m} value={m}>
            {t(`method.${m}` as Key)}
          </option>
        ))}
      </select>
      <p id={`${uid}-method-hint`} class="muted">
        {t(`hint.${kind}` as Key)}
      </p>
      <div class="admin-fields">
        {fillsSeveralSeats(draft.method) ? <Count id={`${uid}-seats`} label={t('rules.seats')} required value={draft.seats} onInput={(seats) => set({ seats })} /> : null}
        {kind === 'approval' ? (
          <>
            <Count id={`${uid}-min`} label={t('rules.min')} value={draft.min} onInput={(min) => set({ min })} />
            <Count id={`${uid}-max`} label={t('rules.max')} value={draft.max} onInput={(max) => set({ max })} />
          </>
        ) : null}
        {kind === 'ranked' && !draft.full ? <Count id={`${uid}-max-ranks`} label={t('rules.maxRanks')} value={draft.maxRanks} onInput={(maxRanks) => set({ maxRanks })} /> : null}
      </div>
      {kind === 'ranked' ? <Check id={`${uid}-full`} label={t('rules.full')} checked={draft.full} onChange={(full) => set({ full })} /> : null}
      {kind === 'graded' ? (
        <>
          <label for={`${uid}-scale`}>{t('rules.scale')}</label>
          <input id={`${uid}-scale`} class="admin-wide" required value={draft.scale} onInput={(e) => set({ scale: e.currentTarget.value })} />
        </>
      ) : null}
      <Check id={`${uid}-blank`} label={t('rules.blank')} checked={draft.blank} onChange={(blank) => set({ blank })} />
      <label for={`${uid}-weights`}>{t('rules.weights')}</label>
      <input id={`${uid}-weights`} class="admin-wide" inputMode="numeric" autoComplete="off" aria-describedby={`${uid}-weights-help`} value={draft.weights} onInput={(e) => set({ weights: e.currentTarget.value })} />
      <p id={`${uid}-weights-help`} class="muted">
        {t('rules.weightsHelp')}
      </p>
    </fieldset>
  );
}

/** The form in words: "Ranked: every choice must be ranked; blank ballots allowed". */
export function describeForm(rules: BallotRules | null | undefined): string {
  const f = rules?.form;
  if (!f) return t('desc.single');
  const text =
    f.kind === 'single'
      ? t('desc.single')
      : f.kind === 'approval'
        ? f.max === undefined
          ? t('desc.approvalNoMax', { min: f.min })
          : t('desc.approval', { min: f.min, max: f.max })
        : f.kind === 'ranked'
          ? f.full
            ? t('desc.rankedFull')
            : f.maxRanks === undefined
              ? t('desc.ranked')
              : t('desc.rankedMax', { k: f.maxRanks })
          : t('desc.graded', { scale: f.scale.join(' < ') });
  return f.blank ? `${text}; ${t('desc.blank')}` : text;
}

/** Method, ballot, seats (when several can be filled) and weights (when weighted) for the election's summary list. */
export function RulesSummary({ ballot, weightClasses }: { ballot?: BallotRules | null; weightClasses?: WeightClass[] }) {
  const method: MethodName = ballot?.method ?? 'plurality';
  return (
    <>
      <dt>{t('election.method')}</dt>
      <dd id="election-method">{t(`method.${method}` as Key)}</dd>
      <dt>{t('election.ballot')}</dt>
      <dd id="election-ballot">{describeForm(ballot)}</dd>
      {ballot && fillsSeveralSeats(ballot.method) ? (
        <>
          <dt>{t('election.seats')}</dt>
          <dd id="election-seats">{ballot.seats}</dd>
        </>
      ) : null}
      {weightClasses?.length ? (
        <>
          <dt>{t('election.weights')}</dt>
          <dd id="election-weights">{weightClasses.map((c) => c.weight).join(', ')}</dd>
        </>
      ) : null}
    </>
  );
}
