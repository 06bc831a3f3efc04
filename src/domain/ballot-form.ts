/**
 * Ballot forms and the canonical text of a ballot in the ballot message's `choice` (docs/methods.md,
 * "Ballot forms"). Pure: the tally, the audit (Node and browser) and the clients share it.
 */
import type { ApprovalBallot, GradedBallot, MethodName, RankedBallot, SingleBallot } from './counting/types.ts';
import { domainError, type DomainError } from './errors.ts';

export type BallotForm =
  | { kind: 'single'; blank: boolean }
  /** `max` absent: no upper limit. Approving nobody is the blank ballot, so `min` ≥ 1. */
  | { kind: 'approval'; blank: boolean; min: number; max?: number }
  /** `full`: every candidate must be ranked; `maxRanks` absent: no limit. */
  | { kind: 'ranked'; blank: boolean; full: boolean; maxRanks?: number }
  /** Grade names, lowest first; a grade is its index. */
  | { kind: 'graded'; blank: boolean; scale: string[] };

export type FormKind = BallotForm['kind'];

/** A form as election.create takes it: defaults may be left out (validateBallotForm writes them). */
export type BallotFormInput =
  | { kind: 'single'; blank?: boolean }
  | { kind: 'approval'; blank?: boolean; min?: number; max?: number }
  | { kind: 'ranked'; blank?: boolean; full?: boolean; maxRanks?: number }
  | { kind: 'graded'; blank?: boolean; scale: string[] };
export const FORM_KINDS: readonly FormKind[] = ['single', 'approval', 'ranked', 'graded'];
export const METHOD_NAMES: readonly MethodName[] = ['plurality', 'approval', 'score', 'majority-judgment', 'irv', 'stv-scottish', 'schulze'];

/** What ElectionCreated fixes about the ballot and its count; absent from the event = DEFAULT_BALLOT_RULES. */
export interface BallotRules {
  form: BallotForm;
  method: MethodName;
  seats: number;
}

export const SINGLE_FORM: BallotForm = Object.freeze({ kind: 'single', blank: false });
export const DEFAULT_BALLOT_RULES: BallotRules = Object.freeze({ form: SINGLE_FORM, method: 'plurality', seats: 1 });

/** The one text of a blank ballot in every form: no candidate name is empty, and no other form's text is. */
export const BLANK_BALLOT_TEXT = '';

/** The form each method counts. */
export const METHOD_FORM: Readonly<Record<MethodName, FormKind>> = {
  plurality: 'single',
  approval: 'approval',
  score: 'graded',
  'majority-judgment': 'graded',
  irv: 'ranked',
  'stv-scottish': 'ranked',
  schulze: 'ranked',
};

/** Why a ballot is INVALID_CHOICE (VoteCounted.reason); stable codes, part of the log. */
export type BallotRejection =
  | 'MALFORMED'
  | 'WRONG_FORM'
  | 'NOT_A_CANDIDATE'
  | 'BLANK_NOT_ALLOWED'
  | 'TOO_FEW_APPROVALS'
  | 'TOO_MANY_APPROVALS'
  | 'DUPLICATE_RANK'
  | 'INCOMPLETE_RANKING'
  | 'TOO_MANY_RANKS'
  | 'GRADE_OUT_OF_RANGE';

export const BALLOT_REJECTIONS: readonly BallotRejection[] = [
  'MALFORMED',
  'WRONG_FORM',
  'NOT_A_CANDIDATE',
  'BLANK_NOT_ALLOWED',
  'TOO_FEW_APPROVALS',
  'TOO_MANY_APPROVALS',
  'DUPLICATE_RANK',
  'INCOMPLETE_RANKING',
  'TOO_MANY_RANKS',
  'GRADE_OUT_OF_RANGE',
];

export type DecodedBallot =
  | ({ kind: 'single' } & SingleBallot)
  | ({ kind: 'approval' } & ApprovalBallot)
  | ({ kind: 'ranked' } & RankedBallot)
  | ({ kind: 'graded' } & GradedBallot);

export type DecodeResult = { ok: true; ballot: DecodedBallot; blank: boolean } | { ok: false; reason: BallotRejection };

/** What a voter marks, by candidate index; `null`/empty marks nothing (the blank ballot). */
export type BallotMarks =
  | { kind: 'single'; choice: number | null }
  | { kind: 'approval'; approved: readonly number[] }
  | { kind: 'ranked'; ranking: readonly number[] }
  | { kind: 'graded'; grades: readonly (number | null)[] };

/** A blank ballot's marks in `form` (encodeBallot gives its text, "", where the form allows it). */
export function blankMarks(form: BallotForm, candidates: number): BallotMarks {
  switch (form.kind) {
    case 'single':
      return { kind: 'single', choice: null };
    case 'approval':
      return { kind: 'approval', approved: [] };
    case 'ranked':
      return { kind: 'ranked', ranking: [] };
    case 'graded':
      return { kind: 'graded', grades: Array.from({ length: candidates }, () => null) };
  }
}

export const MAX_SCALE = 20;
export const GRADE_NAME_MAX_LENGTH = 50;
const UNGRADED = '-';
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
/** A candidate or grade index: decimal, no sign, no leading zero. */
const INDEX_RE = /^(?:0|[1-9][0-9]{0,3})$/;

const reject = (reason: BallotRejection): DecodeResult => ({ ok: false, reason });

function parseIndex(text: string): number | undefined {
  return INDEX_RE.test(text) ? Number(text) : undefined;
}

/**
 * The ballot the text encodes under this form, or why it is not one. Exactly one text per ballot:
 * any other spelling (leading zeros, spaces, unsorted approvals, an empty list for blank…) is refused.
 * Checks run in a fixed order (docs/methods.md) so every recount names the same reason.
 */
export function decodeBallot(form: BallotForm, candidates: readonly string[], text: string, weight = 1): DecodeResult {
  const n = candidates.length;
  if (text === BLANK_BALLOT_TEXT) {
    if (!form.blank) return reject('BLANK_NOT_ALLOWED');
    return { ok: true, blank: true, ballot: blankBallot(form, n, weight) };
  }
  if (form.kind === 'single') {
    const choice = candidates.indexOf(text);
    return choice < 0 ? reject('NOT_A_CANDIDATE') : { ok: true, blank: false, ballot: { kind: 'single', weight, choice } };
  }
  const colon = text.indexOf(':');
  const prefix = colon < 0 ? '' : text.slice(0, colon);
  if (prefix !== form.kind) return reject(FORM_KINDS.includes(prefix as FormKind) ? 'WRONG_FORM' : 'MALFORMED');
  const body = text.slice(colon + 1);
  if (body === '') return reject('MALFORMED');
  switch (form.kind) {
    case 'approval': {
      const approved: number[] = [];
      for (const part of body.split(',')) {
        const i = parseIndex(part);
        if (i === undefined) return reject('MALFORMED');
        if (i >= n) return reject('NOT_A_CANDIDATE');
        if (approved.length > 0 && i <= (approved.at(-1) as number)) return reject('MALFORMED');
        approved.push(i);
      }
      if (approved.length < form.min) return reject('TOO_FEW_APPROVALS');
      if (form.max !== undefined && approved.length > form.max) return reject('TOO_MANY_APPROVALS');
      return { ok: true, blank: false, ballot: { kind: 'approval', weight, approved } };
    }
    case 'ranked': {
      const ranking: number[] = [];
      const seen = new Set<number>();
      for (const part of body.split('>')) {
        const i = parseIndex(part);
        if (i === undefined) return reject('MALFORMED');
        if (i >= n) return reject('NOT_A_CANDIDATE');
        if (seen.has(i)) return reject('DUPLICATE_RANK');
        seen.add(i);
        ranking.push(i);
      }
      if (form.maxRanks !== undefined && ranking.length > form.maxRanks) return reject('TOO_MANY_RANKS');
      if (form.full && ranking.length < n) return reject('INCOMPLETE_RANKING');
      return { ok: true, blank: false, ballot: { kind: 'ranked', weight, ranking } };
    }
    case 'graded': {
      const parts = body.split(',');
      if (parts.length !== n) return reject('MALFORMED');
      const grades: (number | null)[] = [];
      for (const part of parts) {
        if (part === UNGRADED) {
          grades.push(null);
          continue;
        }
        const g = parseIndex(part);
        if (g === undefined) return reject('MALFORMED');
        if (g >= form.scale.length) return reject('GRADE_OUT_OF_RANGE');
        grades.push(g);
      }
      // Nothing graded is the blank ballot, whose only text is BLANK_BALLOT_TEXT.
      if (grades.every((g) => g === null)) return reject('MALFORMED');
      return { ok: true, blank: false, ballot: { kind: 'graded', weight, grades } };
    }
  }
}

function blankBallot(form: BallotForm, n: number, weight: number): DecodedBallot {
  switch (form.kind) {
    case 'single':
      return { kind: 'single', weight, choice: null };
    case 'approval':
      return { kind: 'approval', weight, approved: [] };
    case 'ranked':
      return { kind: 'ranked', weight, ranking: [] };
    case 'graded':
      return { kind: 'graded', weight, grades: Array.from({ length: n }, () => null) };
  }
}

/**
 * The canonical text of a ballot (approvals are sorted here). Throws RangeError when the marks do
 * not make a valid ballot of this form: a client refuses to cast what the tally would not count.
 */
export function encodeBallot(form: BallotForm, candidates: readonly string[], marks: BallotMarks): string {
  if (marks.kind !== form.kind) throw new RangeError(`a ${marks.kind} ballot for a ${form.kind} form`);
  const text = encodeMarks(candidates, marks);
  const decoded = decodeBallot(form, candidates, text);
  if (!decoded.ok) throw new RangeError(`not a valid ballot of this election: ${decoded.reason}`);
  return text;
}

function encodeMarks(candidates: readonly string[], marks: BallotMarks): string {
  switch (marks.kind) {
    case 'single':
      return marks.choice === null ? BLANK_BALLOT_TEXT : (candidates[marks.choice] ?? `#${marks.choice}`);
    case 'approval':
      return marks.approved.length === 0 ? BLANK_BALLOT_TEXT : `approval:${[...marks.approved].sort((a, b) => a - b).join(',')}`;
    case 'ranked':
      return marks.ranking.length === 0 ? BLANK_BALLOT_TEXT : `ranked:${marks.ranking.join('>')}`;
    case 'graded':
      return marks.grades.every((g) => g === null) ? BLANK_BALLOT_TEXT : `graded:${marks.grades.map((g) => (g === null ? UNGRADED : String(g))).join(',')}`;
  }
}

const isCount = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

/**
 * A form as given at creation (or in a CLI/JSON payload), checked against the number of candidates
 * and written with its defaults (blank false, approval min 1, ranked partial).
 */
export function validateBallotForm(input: unknown, candidates: number): BallotForm | DomainError {
  const bad = (message: string) => domainError('INVALID_BALLOT_FORM', message);
  if (typeof input !== 'object' || input === null) return bad('a ballot form is an object with a kind');
  const f = input as Record<string, unknown>;
  if (f.blank !== undefined && typeof f.blank !== 'boolean') return bad('blank is true or false');
  const blank = f.blank === true;
  const allowed: Record<FormKind, string[]> = { single: [], approval: ['min', 'max'], ranked: ['full', 'maxRanks'], graded: ['scale'] };
  if (!FORM_KINDS.includes(f.kind as FormKind)) return bad(`the form's kind is one of ${FORM_KINDS.join(', ')}`);
  const kind = f.kind as FormKind;
  const extra = Object.keys(f).filter((k) => k !== 'kind' && k !== 'blank' && !allowed[kind].includes(k));
  if (extra.length > 0) return bad(`a ${kind} form has no ${extra.join(', ')}`);
  switch (kind) {
    case 'single':
      return { kind, blank };
    case 'approval': {
      const min = f.min ?? 1;
      if (!isCount(min, 1, candidates)) return bad(`approval min is an integer from 1 to ${candidates} (approving nobody is the blank ballot)`);
      if (f.max === undefined) return { kind, blank, min };
      if (!isCount(f.max, min, candidates)) return bad(`approval max is an integer from min (${min}) to ${candidates}`);
      return { kind, blank, min, max: f.max };
    }
    case 'ranked': {
      if (f.full !== undefined && typeof f.full !== 'boolean') return bad('full is true or false');
      const full = f.full === true;
      if (f.maxRanks === undefined) return { kind, blank, full };
      if (full) return bad('a full ranking has no maxRanks');
      if (!isCount(f.maxRanks, 1, candidates)) return bad(`maxRanks is an integer from 1 to ${candidates}`);
      return { kind, blank, full, maxRanks: f.maxRanks };
    }
    case 'graded': {
      const scale = f.scale;
      if (!Array.isArray(scale) || scale.length < 2 || scale.length > MAX_SCALE) return bad(`a scale has 2 to ${MAX_SCALE} grade names, lowest first`);
      const names: string[] = [];
      for (const g of scale) {
        const name = typeof g === 'string' ? g.trim() : '';
        if (name === '' || CONTROL_RE.test(name) || [...name].length > GRADE_NAME_MAX_LENGTH) return bad(`grade names are 1 to ${GRADE_NAME_MAX_LENGTH} characters, no control characters`);
        if (names.some((x) => x.toLowerCase() === name.toLowerCase())) return bad('grade names must be unique');
        names.push(name);
      }
      return { kind, blank, scale: names };
    }
  }
}

export const MAX_SEATS = 63;

/** Whether an election counted by `method` may ask for more than one seat: only Scottish STV does. */
export const fillsSeveralSeats = (method: MethodName) => method === 'stv-scottish';

/**
 * Form, method and seats as ElectionCreated holds them, or null for the default (single choice,
 * plurality, one seat: what every election was before forms, whose events and fingerprint stay as they were).
 * A method infers its form when only the method is given and the form needs no parameter.
 */
export function validateBallotRules(input: { form?: unknown; method?: unknown; seats?: unknown }, candidates: number): BallotRules | null | DomainError {
  if (input.method !== undefined && !METHOD_NAMES.includes(input.method as MethodName)) {
    return domainError('INVALID_METHOD', `the method is one of ${METHOD_NAMES.join(', ')}`);
  }
  let form: BallotForm | DomainError = SINGLE_FORM;
  if (input.form !== undefined) form = validateBallotForm(input.form, candidates);
  else if (input.method !== undefined) {
    const kind = METHOD_FORM[input.method as MethodName];
    if (kind === 'graded') return domainError('INVALID_BALLOT_FORM', `${String(input.method)} needs a graded form with its scale`);
    form = validateBallotForm({ kind }, candidates);
  }
  if ('code' in form) return form;
  const method = (input.method as MethodName | undefined) ?? defaultMethod(form.kind);
  if (method === undefined) return domainError('INVALID_METHOD', `a ${form.kind} ballot needs a counting method (${METHOD_NAMES.filter((m) => METHOD_FORM[m] === form.kind).join(', ')})`);
  if (METHOD_FORM[method] !== form.kind) return domainError('METHOD_FORM_MISMATCH', `${method} counts ${METHOD_FORM[method]} ballots, not ${form.kind} ones`, { method, form: form.kind });
  const seats = input.seats ?? 1;
  if (fillsSeveralSeats(method)) {
    if (!isCount(seats, 1, Math.min(MAX_SEATS, candidates - 1))) return domainError('INVALID_SEATS', `seats is an integer from 1 to ${Math.min(MAX_SEATS, candidates - 1)}`);
  } else if (seats !== 1) return domainError('INVALID_SEATS', `${method} elects one winner; only stv-scottish fills several seats`);
  const rules: BallotRules = { form, method, seats: seats as number };
  return isDefaultRules(rules) ? null : rules;
}

const defaultMethod = (kind: FormKind): MethodName | undefined => (kind === 'single' ? 'plurality' : kind === 'approval' ? 'approval' : undefined);

export const isDefaultRules = (r: BallotRules) => r.form.kind === 'single' && !r.form.blank && r.method === 'plurality' && r.seats === 1;

/** Undefined when the rules still fit a new candidate list (ElectionConfigured may change the choices), else why not. */
export function rulesMisfit(rules: BallotRules, candidates: number): DomainError | undefined {
  const again = validateBallotRules(rules, candidates);
  return again !== null && 'code' in again ? again : undefined;
}
