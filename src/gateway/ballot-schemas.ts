/** JSON Schemas of election.create's ballot form, counting method and seats (docs/methods.md); the decider checks the rest. */
import { GRADE_NAME_MAX_LENGTH, MAX_SCALE, MAX_SEATS, METHOD_NAMES } from '../domain/ballot-form.ts';
import { MAX_CHOICES } from '../domain/election.ts';
import { strictObject } from './schema-parts.ts';

const blank = { type: 'boolean', description: 'Whether a blank ballot (the empty text) is valid; default false.' };
const count = { type: 'integer', minimum: 1, maximum: MAX_CHOICES };

export const BALLOT_FORM_SCHEMA = {
  description: 'The ballot form (docs/methods.md, "Ballot forms"); absent: single choice, no blank ballot.',
  oneOf: [
    strictObject({ kind: { const: 'single' }, blank }, ['kind']),
    strictObject({ kind: { const: 'approval' }, blank, min: { ...count, description: 'Fewest approvals (default 1).' }, max: { ...count, description: 'Most approvals (default: no limit).' } }, ['kind']),
    strictObject({ kind: { const: 'ranked' }, blank, full: { type: 'boolean', description: 'Every candidate must be ranked (default false).' }, maxRanks: { ...count, description: 'Most candidates ranked (default: no limit).' } }, ['kind']),
    strictObject({ kind: { const: 'graded' }, blank, scale: { type: 'array', minItems: 2, maxItems: MAX_SCALE, items: { type: 'string', minLength: 1, maxLength: GRADE_NAME_MAX_LENGTH }, description: 'Grade names, lowest first.' } }, ['kind', 'scale']),
  ],
};

export const METHOD_SCHEMA = { enum: [...METHOD_NAMES], description: "The counting method; absent: the form's default (plurality, approval)." };
export const SEATS_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_SEATS, description: 'Winners to elect (default 1; more only with stv-scottish).' };
