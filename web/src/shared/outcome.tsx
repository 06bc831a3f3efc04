/**
 * The result of an election counted by its method (tally.results' `outcome`): the method, the
 * winners in order of election, and every round's figure per candidate with who was elected or
 * excluded, in a table that scrolls inside its own box on a narrow screen. Board and console share it.
 */
import type { MethodOutcome, OutcomeRound } from '../../../src/projections/read-models.ts';
import { figureText } from './outcome-format.ts';
import './outcome.css';

type T = (key: string, vars?: Record<string, string | number>) => string;

/** The round each candidate was excluded in (figures after it are empty); candidates by index. */
function exclusionRounds(rounds: readonly OutcomeRound[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of rounds) for (const c of r.eliminated) if (!out.has(c)) out.set(c, r.round);
  return out;
}

export function Outcome(props: { t: T; lang: string; choices: readonly string[]; outcome: MethodOutcome; scale?: readonly string[] }) {
  const { t, lang, choices, outcome, scale } = props;
  const { method, rounds, winners } = outcome;
  const excludedIn = exclusionRounds(rounds);
  const name = (c: number) => choices[c] ?? `#${c}`;
  const names = (cs: readonly number[]) => (cs.length > 0 ? cs.map(name).join(', ') : t('outcome.none'));
  const tieBreaks = rounds.filter((r) => r.tieBreak !== undefined);
  const methodName = t(`outcome.method.${method}`);
  const caption = t('outcome.caption', { unit: t(`outcome.unit.${method}`) });
  return (
    <div class="outcome" data-method={method}>
      <p id="outcome-method">{rounds.length === 1 ? t('outcome.countedByOne', { method: methodName }) : t('outcome.countedBy', { method: methodName, rounds: rounds.length })}</p>
      <h3 id="winners-title">{t('outcome.elected')}</h3>
      {winners.length > 0 ? (
        <ol id="winners" class="winners" aria-labelledby="winners-title">
          {winners.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ol>
      ) : (
        <p id="winners">{t('outcome.nobody')}</p>
      )}
      {/* The caption names the table for assistive technology; this copy stays in view while the table scrolls. */}
      <p class="rounds-title" id="rounds-title" aria-hidden="true">
        {caption}
      </p>
      <div class="rounds-scroll" role="region" aria-labelledby="rounds-title" tabIndex={0}>
        <table class="rounds">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('outcome.candidate')}</th>
              {rounds.map((r) => (
                <th scope="col" class="num" key={r.round}>
                  {t('outcome.round', { round: r.round })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {choices.map((choice, c) => (
              <tr key={choice} class={winners.includes(choice) ? 'winner' : undefined}>
                <th scope="row">{choice}</th>
                {rounds.map((r) => {
                  const out = excludedIn.get(c);
                  if (out !== undefined && r.round > out) {
                    return (
                      <td class="num muted" key={r.round}>
                        <span aria-hidden="true">{t('outcome.none')}</span>
                        <span class="visually-hidden">{t('outcome.out')}</span>
                      </td>
                    );
                  }
                  const mark = r.elected.includes(c) ? 'elected' : r.eliminated.includes(c) ? 'eliminated' : undefined;
                  return (
                    <td class={mark ? `num ${mark}` : 'num'} key={r.round}>
                      {figureText(lang, method, r.tallies[c] ?? 0, scale)}
                      {mark && <span class="mark">{` ${mark === 'elected' ? '✓' : '✗'} ${t(`outcome.${mark}Mark`)}`}</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr class="elected-row">
              <th scope="row">{t('outcome.electedRow')}</th>
              {rounds.map((r) => (
                <td key={r.round}>{names(r.elected)}</td>
              ))}
            </tr>
            <tr class="eliminated-row">
              <th scope="row">{t('outcome.eliminatedRow')}</th>
              {rounds.map((r) => (
                <td key={r.round}>{names(r.eliminated)}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      {tieBreaks.length > 0 && (
        <>
          <h3 id="tie-breaks-title">{t('outcome.tieBreaks')}</h3>
          <ul class="tie-breaks" aria-labelledby="tie-breaks-title">
            {tieBreaks.map((r) => (
              <li key={r.round} data-round={r.round}>
                {t('outcome.tieBreak', { round: r.round })} <code class="mono">{r.tieBreak}</code>
              </li>
            ))}
          </ul>
          <p class="muted small">{t('outcome.tieBreakHelp')}</p>
        </>
      )}
    </div>
  );
}
