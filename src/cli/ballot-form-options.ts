/** The ballot flags of `evote election create` (form, method, seats) and of `evote vote` (the ballot by names); docs/methods.md. */
import type { BallotFormInput, BallotRules } from '../domain/ballot-form.ts';
import type { BallotInput } from '../client/ballot-choice.ts';
import type { MethodName } from '../domain/counting/types.ts';
import { CliError, EXIT } from './exit-codes.ts';

export interface BallotFlags {
  form?: string;
  method?: string;
  seats?: number;
  min?: number;
  max?: number;
  full?: boolean;
  maxRanks?: number;
  scale?: string;
  blank?: boolean;
}

const usage = (message: string) => new CliError(EXIT.USAGE, message, 'USAGE');

/** Only the flags given: the server writes the defaults and refuses what does not fit (INVALID_BALLOT_FORM, METHOD_FORM_MISMATCH…). */
export function ballotInputFromFlags(o: BallotFlags): { form?: BallotFormInput; method?: MethodName; seats?: number } {
  const kindFlags = { approval: ['min', 'max'], ranked: ['full', 'maxRanks'], graded: ['scale'] } as const;
  const given = (Object.entries(kindFlags) as [string, readonly (keyof BallotFlags)[]][]).flatMap(([kind, flags]) => flags.filter((f) => o[f] !== undefined).map((f) => [kind, f] as const));
  const misplaced = given.find(([kind]) => kind !== o.form);
  if (misplaced) throw usage(`--${misplaced[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} belongs to --form ${misplaced[0]}`);
  if (o.blank && o.form === undefined) throw usage('--blank needs --form');
  const out: { form?: BallotFormInput; method?: MethodName; seats?: number } = {};
  const blank = o.blank ? { blank: true } : {};
  switch (o.form) {
    case undefined:
      break;
    case 'single':
      out.form = { kind: 'single', ...blank };
      break;
    case 'approval':
      out.form = { kind: 'approval', ...blank, ...(o.min !== undefined && { min: o.min }), ...(o.max !== undefined && { max: o.max }) };
      break;
    case 'ranked':
      out.form = { kind: 'ranked', ...blank, ...(o.full && { full: true }), ...(o.maxRanks !== undefined && { maxRanks: o.maxRanks }) };
      break;
    case 'graded':
      if (o.scale === undefined) throw usage('--form graded needs --scale "lowest,…,highest"');
      out.form = { kind: 'graded', ...blank, scale: o.scale.split(',').map((g) => g.trim()) };
      break;
    default:
      throw usage('--form is single, approval, ranked or graded');
  }
  if (o.method !== undefined) out.method = o.method as MethodName;
  if (o.seats !== undefined) out.seats = o.seats;
  return out;
}

/** One line for `election status`: "ranked (full, blank allowed) · schulze · 1 seat". */
export function describeBallot(rules: BallotRules | null | undefined): string {
  if (!rules) return 'single choice · plurality';
  const f = rules.form;
  const details: string[] = [];
  if (f.kind === 'approval') details.push(`${f.min}${f.max === undefined ? '+' : `–${f.max}`} approvals`);
  if (f.kind === 'ranked') details.push(f.full ? 'full' : f.maxRanks === undefined ? 'partial' : `at most ${f.maxRanks} ranks`);
  if (f.kind === 'graded') details.push(f.scale.join(' < '));
  if (f.blank) details.push('blank allowed');
  const kind = f.kind === 'single' ? 'single choice' : f.kind;
  return `${kind}${details.length ? ` (${details.join(', ')})` : ''} · ${rules.method} · ${rules.seats} seat${rules.seats === 1 ? '' : 's'}`;
}

export interface BallotVoteFlags {
  choice?: string[];
  rank?: string[];
  grade?: string[];
  blank?: boolean;
}

/** One kind of flag per ballot; repeated --choice means approvals, one --choice a single choice (docs/methods.md). */
export function ballotFromVoteFlags(o: BallotVoteFlags): BallotInput {
  const kinds = [o.choice, o.rank, o.grade, o.blank].filter((x) => x !== undefined).length;
  if (kinds !== 1) throw new CliError(EXIT.USAGE, 'give exactly one of --choice, --rank, --grade or --blank', 'USAGE');
  if (o.blank) return { blank: true };
  if (o.rank) return { ranking: o.rank };
  if (o.grade) {
    const grades: Record<string, string> = {};
    for (const g of o.grade) {
      const eq = g.lastIndexOf('=');
      if (eq <= 0) throw new CliError(EXIT.USAGE, `--grade takes choice=grade, not "${g}"`, 'USAGE');
      grades[g.slice(0, eq)] = g.slice(eq + 1);
    }
    return { grades };
  }
  const choices = o.choice ?? [];
  return choices.length === 1 ? (choices[0] as string) : { approved: choices };
}
