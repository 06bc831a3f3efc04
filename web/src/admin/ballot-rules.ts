import { fillsSeveralSeats, METHOD_FORM, METHOD_NAMES, type BallotFormInput, type FormKind } from '../../../src/domain/ballot-form.ts';
import type { MethodName } from '../../../src/domain/counting/types.ts';
import { parseWeightList } from '../../../src/domain/weight-classes.ts';
import { EvoteError } from '../../../src/client/errors.ts';

export { fillsSeveralSeats, METHOD_FORM, METHOD_NAMES, type FormKind, type MethodName };

/** The create form's ballot fields as typed: numbers stay text until sent, '' meaning "not given". */
export interface RulesDraft {
  method: MethodName;
  blank: boolean;
  seats: string;
  min: string;
  max: string;
  full: boolean;
  maxRanks: string;
  /** Grade names, lowest first, comma-separated. */
  scale: string;
  /** Weight classes, comma-separated; '' for an unweighted election. */
  weights: string;
}

/** What election.create takes besides theme, choices and expected voters. */
export interface RulesPayload {
  form?: BallotFormInput;
  method?: MethodName;
  seats?: number;
  weights?: number[];
}

export const DEFAULT_DRAFT: RulesDraft = { method: 'plurality', blank: false, seats: '1', min: '', max: '', full: false, maxRanks: '', scale: '', weights: '' };

const optionalCount = (text: string) => (text.trim() === '' ? undefined : Number(text));

/**
 * The payload's ballot part: nothing at all for plain plurality (today's request, byte for byte),
 * else the form the method counts with only the fields the operator gave; the server writes the
 * defaults and refuses what does not fit. Weights are checked here with the server's own rule.
 */
export function rulesPayload(d: RulesDraft): RulesPayload {
  const out: RulesPayload = {};
  const kind: FormKind = METHOD_FORM[d.method];
  if (d.method !== 'plurality' || d.blank) {
    const blank = d.blank ? { blank: true } : {};
    const min = optionalCount(d.min);
    const max = optionalCount(d.max);
    const maxRanks = optionalCount(d.maxRanks);
    switch (kind) {
      case 'single':
        out.form = { kind, ...blank };
        break;
      case 'approval':
        out.form = { kind, ...blank, ...(min !== undefined && { min }), ...(max !== undefined && { max }) };
        break;
      case 'ranked':
        out.form = { kind, ...blank, ...(d.full ? { full: true } : maxRanks !== undefined && { maxRanks }) };
        break;
      case 'graded': {
        const scale = d.scale.split(',').map((g) => g.trim());
        if (scale.some((g) => g === '')) throw new EvoteError('INVALID_BALLOT_FORM', 'grade names are separated by commas, and none is empty');
        out.form = { kind, ...blank, scale };
        break;
      }
    }
    out.method = d.method;
    if (fillsSeveralSeats(d.method)) out.seats = Number(d.seats);
  }
  if (d.weights.trim() !== '') {
    const weights = parseWeightList(d.weights);
    if (!Array.isArray(weights)) throw new EvoteError(weights.code, weights.message);
    out.weights = weights;
  }
  return out;
}
