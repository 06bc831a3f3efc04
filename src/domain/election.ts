/**
 * The election decider: `decide` returns events or a DomainError, `evolve` folds one event (rules in docs/events.md).
 */
import type {
  ElectionCommand,
  ConfigureElection,
  CreateElection,
  ElectionPublicKeys,
  EndVoting,
  ProtectedEmail,
  RegisterVoter,
  RegisterVoters,
  StartVoting,
} from './election-commands.ts';
import { smallClass, validateWeightClasses, type WeightClass } from './weight-classes.ts';
import type { ElectionConfigured, ElectionEvent, ElectionStatus, VoterRegistered } from './election-events.ts';
import { rulesMisfit, validateBallotRules, type BallotRules } from './ballot-form.ts';
import { domainError, type DomainError } from './errors.ts';
import { maxCountedWeight } from './counting/index.ts';
import { validateTranscript, type TrusteeTranscript } from './trustees.ts';

export const THEME_MAX_LENGTH = 200;
export const CHOICE_MAX_LENGTH = 200;
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 64;
export const MAX_EXPECTED_VOTERS = 10_000_000;
export const EMAIL_MAX_LENGTH = 254;

// Registered e-mail HMACs as a persistent set shared by all versions of one election, so folding
// 10^5..10^7 registrations copies nothing per event (docs/events.md "Aggregate cache").

class EmailLineage {
  readonly ordinals = new Map<string, number>();
  tip = 0;
}

export interface RegisteredEmails {
  /** Null until the first registration, so the shared initial state never holds anyone's e-mail. */
  readonly lineage: EmailLineage | null;
  readonly count: number;
}

const NO_EMAILS: RegisteredEmails = { lineage: null, count: 0 };

export function hasEmail(emails: RegisteredEmails, email: string): boolean {
  const ordinal = emails.lineage?.ordinals.get(email);
  return ordinal !== undefined && ordinal < emails.count;
}

function addEmail(emails: RegisteredEmails, email: string): RegisteredEmails {
  let lineage = emails.lineage;
  if (lineage === null || lineage.tip !== emails.count) {
    const fork = new EmailLineage();
    if (lineage !== null) {
      for (const [e, ordinal] of lineage.ordinals) if (ordinal < emails.count) fork.ordinals.set(e, ordinal);
    }
    fork.tip = emails.count;
    lineage = fork;
  }
  lineage.ordinals.set(email, emails.count);
  lineage.tip = emails.count + 1;
  return { lineage, count: emails.count + 1 };
}

export interface ElectionState {
  status: 'NONE' | ElectionStatus;
  electionId: string | null;
  theme: string;
  choices: string[];
  expectedVoters: number;
  closesAt: string | null;
  registeredEmails: RegisteredEmails;
  publicKeys: ElectionPublicKeys | null;
  /** Null for a single-key election (the counter key in the server's key store). */
  trustees: TrusteeTranscript | null;
  witnesses: string[];
  /** Null for a single-choice plurality election (ElectionCreated without form). */
  ballotRules: BallotRules | null;
  /** Null for an unweighted election (ElectionCreated without weightClasses). */
  weightClasses: WeightClass[] | null;
  /** Registered voters per weight ("1": 40, ...), empty when unweighted. */
  votersPerWeight: Record<string, number>;
  voterCount: number;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export const initialState: ElectionState = Object.freeze({
  status: 'NONE',
  electionId: null,
  theme: '',
  choices: [],
  expectedVoters: 0,
  closesAt: null,
  registeredEmails: NO_EMAILS,
  publicKeys: null,
  trustees: null,
  witnesses: [],
  ballotRules: null,
  weightClasses: null,
  votersPerWeight: {},
  voterCount: 0,
  createdAt: null,
  startedAt: null,
  endedAt: null,
}) as ElectionState;

/** The rules ElectionCreated fixed; null when it has none (or, in a forged log, not all three). */
export function ballotRulesOf(d: { form?: BallotRules['form']; method?: BallotRules['method']; seats?: number }): BallotRules | null {
  return d.form !== undefined && d.method !== undefined && d.seats !== undefined ? { form: d.form, method: d.method, seats: d.seats } : null;
}

export function isRegistered(state: ElectionState, emailHmac: string): boolean {
  return hasEmail(state.registeredEmails, emailHmac);
}

export function evolve(state: ElectionState, event: ElectionEvent): ElectionState {
  switch (event.type) {
    case 'ElectionCreated': {
      const d = event.data;
      return {
        ...initialState,
        status: 'REGISTER',
        electionId: d.electionId,
        theme: d.theme,
        choices: [...d.choices],
        expectedVoters: d.expectedVoters,
        createdAt: d.createdAt,
        publicKeys: { authorityPublicKey: d.authorityPublicKey, ballotPublicKey: d.ballotPublicKey, logPublicKey: d.logPublicKey },
        witnesses: d.witnesses ? [...d.witnesses] : [],
        ballotRules: ballotRulesOf(d),
        weightClasses: d.weightClasses && d.weightClasses.length > 0 ? d.weightClasses.map((c) => ({ ...c })) : null,
      };
    }
    case 'TrusteesAppointed': {
      const { electionId: _id, appointedAt: _at, ...transcript } = event.data;
      return { ...state, trustees: transcript };
    }
    case 'ElectionConfigured': {
      const d = event.data;
      return {
        ...state,
        ...(d.theme !== undefined && { theme: d.theme }),
        ...(d.choices !== undefined && { choices: [...d.choices] }),
        ...(d.expectedVoters !== undefined && { expectedVoters: d.expectedVoters }),
        ...(d.closesAt !== undefined && { closesAt: d.closesAt }),
      };
    }
    case 'VoterRegistered': {
      if (hasEmail(state.registeredEmails, event.data.emailHmac)) return state;
      const registeredEmails = addEmail(state.registeredEmails, event.data.emailHmac);
      const w = event.data.weight;
      const votersPerWeight = w === undefined ? state.votersPerWeight : { ...state.votersPerWeight, [w]: (state.votersPerWeight[w] ?? 0) + 1 };
      return { ...state, registeredEmails, votersPerWeight, voterCount: registeredEmails.count };
    }
    case 'VotingStarted':
      return { ...state, status: 'VOTE_STARTED', startedAt: event.data.startedAt };
    case 'VotingEnded':
      return { ...state, status: 'VOTE_ENDED', endedAt: event.data.endedAt };
    default:
      // Unknown event types (from a newer version of the log) leave the state unchanged.
      return state;
  }
}

const charLength = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

// Controls have no place in a ballot's text, and jsonb refuses \u0000.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export function validateTheme(theme: unknown): string | DomainError {
  if (typeof theme !== 'string') return domainError('INVALID_THEME', 'theme must be a string');
  const t = theme.trim();
  if (t.length === 0) return domainError('INVALID_THEME', 'theme must not be empty');
  if (CONTROL_RE.test(t)) return domainError('INVALID_THEME', 'theme must not contain control characters');
  if (charLength(t) > THEME_MAX_LENGTH) return domainError('INVALID_THEME', `theme must be at most ${THEME_MAX_LENGTH} characters`);
  return t;
}

export function validateChoices(choices: unknown): string[] | DomainError {
  if (!Array.isArray(choices)) return domainError('INVALID_CHOICES', 'choices must be an array of strings');
  if (choices.length < MIN_CHOICES || choices.length > MAX_CHOICES) {
    return domainError('INVALID_CHOICES', `between ${MIN_CHOICES} and ${MAX_CHOICES} choices are required`, { count: choices.length });
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [index, choice] of choices.entries()) {
    if (typeof choice !== 'string') return domainError('INVALID_CHOICES', 'every choice must be a string', { index });
    const c = choice.trim();
    if (c.length === 0) return domainError('INVALID_CHOICES', 'choices must not be empty', { index });
    if (CONTROL_RE.test(c)) return domainError('INVALID_CHOICES', 'choices must not contain control characters', { index });
    if (charLength(c) > CHOICE_MAX_LENGTH) {
      return domainError('INVALID_CHOICES', `each choice must be at most ${CHOICE_MAX_LENGTH} characters`, { index });
    }
    const key = c.toLowerCase();
    if (seen.has(key)) return domainError('INVALID_CHOICES', 'choices must be unique', { index });
    seen.add(key);
    out.push(c);
  }
  return out;
}

export function validateExpectedVoters(n: unknown): number | DomainError {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_EXPECTED_VOTERS) {
    return domainError('INVALID_EXPECTED_VOTERS', `expected voters must be an integer between 1 and ${MAX_EXPECTED_VOTERS}`);
  }
  return n;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Pragmatic, not RFC 5322: no quoted local parts, IP literals or comments (each an injection surface).
const EMAIL_RE =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The normalised e-mail, or INVALID_EMAIL; the message never repeats the address. */
export function validateEmail(email: unknown): string | DomainError {
  if (typeof email !== 'string') return domainError('INVALID_EMAIL', 'e-mail must be a string');
  const e = normaliseEmail(email);
  if (e.length === 0) return domainError('INVALID_EMAIL', 'e-mail must not be empty');
  if (e.length > EMAIL_MAX_LENGTH) return domainError('INVALID_EMAIL', `e-mail must be at most ${EMAIL_MAX_LENGTH} characters`);
  const at = e.lastIndexOf('@');
  if (at > 64 || !EMAIL_RE.test(e)) return domainError('INVALID_EMAIL', 'e-mail address is not valid');
  return e;
}

const EMAIL_HMAC_RE = /^[0-9a-f]{64}$/;
// nonce + at least one byte + tag = 39 base64url characters; a 254-byte address makes 376.
const EMAIL_ENCRYPTED_RE = /^[A-Za-z0-9_-]{39,376}$/;

/** Shape check of a protected e-mail (the handler validated the address before encrypting it). */
export function validateProtectedEmail(e: ProtectedEmail): DomainError | undefined {
  if (typeof e.emailHmac !== 'string' || !EMAIL_HMAC_RE.test(e.emailHmac)) return domainError('INVALID_EMAIL', 'the e-mail HMAC is not 64 hex digits');
  if (typeof e.emailEncrypted !== 'string' || !EMAIL_ENCRYPTED_RE.test(e.emailEncrypted)) {
    return domainError('INVALID_EMAIL', 'the encrypted e-mail is not well-formed');
  }
  return undefined;
}

const RSA_SPKI_RE = /^[A-Za-z0-9_-]{300,800}$/;
const ED25519_RAW_RE = /^[A-Za-z0-9_-]{43}$/;

function validatePublicKeys(keys: ElectionPublicKeys | undefined): DomainError | undefined {
  if (
    typeof keys !== 'object' ||
    keys === null ||
    typeof keys.authorityPublicKey !== 'string' ||
    !RSA_SPKI_RE.test(keys.authorityPublicKey) ||
    typeof keys.ballotPublicKey !== 'string' ||
    !RSA_SPKI_RE.test(keys.ballotPublicKey) ||
    typeof keys.logPublicKey !== 'string' ||
    !ED25519_RAW_RE.test(keys.logPublicKey)
  ) {
    return domainError('INVALID_ELECTION_KEYS', 'the election needs RSA authority and ballot keys (SPKI DER) and an Ed25519 log key (raw), base64url');
  }
  if (keys.authorityPublicKey === keys.ballotPublicKey) return domainError('INVALID_ELECTION_KEYS', 'the authority and ballot keys must differ');
  return undefined;
}

const ISO_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of a full ISO-8601 instant (with a zone), or NaN. */
export function parseInstant(s: unknown): number {
  if (typeof s !== 'string' || !ISO_INSTANT_RE.test(s)) return NaN;
  return Date.parse(s);
}

function wrongState(state: ElectionState, command: ElectionCommand['type'], required: ElectionStatus): DomainError {
  return domainError('WRONG_STATE', `${command} requires the election to be in ${required}; it is in ${state.status}`, {
    current: state.status,
    required,
  });
}

/** Election ids name streams, pub/sub channels and URLs: server-made UUIDs, or an admin's own id of the same safe alphabet. */
export const ELECTION_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const ELECTION_ID_RE = new RegExp(ELECTION_ID_PATTERN);

function createElection(cmd: CreateElection, state: ElectionState): ElectionEvent[] | DomainError {
  if (typeof cmd.electionId !== 'string' || !ELECTION_ID_RE.test(cmd.electionId)) {
    return domainError('INVALID_ELECTION_ID', "an election id is 1 to 64 letters, digits, '-' or '_'");
  }
  if (state.status !== 'NONE') return domainError('ELECTION_ALREADY_EXISTS', 'the election already exists', { electionId: cmd.electionId });
  const theme = validateTheme(cmd.theme);
  if (typeof theme !== 'string') return theme;
  const choices = validateChoices(cmd.choices);
  if (!Array.isArray(choices)) return choices;
  const expectedVoters = validateExpectedVoters(cmd.expectedVoters);
  if (typeof expectedVoters !== 'number') return expectedVoters;
  const badKeys = validatePublicKeys(cmd.publicKeys);
  if (badKeys) return badKeys;
  const witnesses = validateWitnesses(cmd.witnesses);
  if (!Array.isArray(witnesses)) return witnesses;
  const rules = validateBallotRules(cmd, choices.length);
  if (rules !== null && 'code' in rules) return rules;
  const { authorityPublicKey, ballotPublicKey, logPublicKey } = cmd.publicKeys;
  const weightClasses = cmd.weightClasses === undefined ? undefined : validateWeightClasses(cmd.weightClasses, [authorityPublicKey, ballotPublicKey]);
  if (weightClasses !== undefined && !Array.isArray(weightClasses)) return weightClasses;
  const outOfRange = countOutOfRange(rules, weightClasses ?? null, expectedVoters);
  if (outOfRange) return outOfRange;
  const created: ElectionEvent = {
    type: 'ElectionCreated',
    data: { electionId: cmd.electionId, theme, choices, expectedVoters, createdAt: cmd.now, authorityPublicKey, ballotPublicKey, logPublicKey, ...(witnesses.length > 0 && { witnesses }), ...rules, ...(weightClasses && { weightClasses }) },
  };
  if (cmd.trustees === undefined) return [created];
  const badTranscript = validateTranscript(cmd.trustees, ballotPublicKey);
  if (badTranscript) return badTranscript;
  const { version, threshold, params, trustees, createdAt } = cmd.trustees;
  const transcript = { version, ballotPublicKey, threshold, params, trustees: trustees.map(({ index, name, identityKey, shareCommitment }) => ({ index, name, identityKey, shareCommitment })), createdAt };
  return [created, { type: 'TrusteesAppointed', data: { electionId: cmd.electionId, ...transcript, appointedAt: cmd.now } }];
}

/** Every voter at the heaviest weight must still count exactly: refused here, not found at the tally. */
function countOutOfRange(rules: BallotRules | null, classes: readonly WeightClass[] | null, expectedVoters: number): DomainError | undefined {
  if (!rules) return undefined;
  const heaviest = Math.max(1, ...(classes ?? []).map((c) => c.weight));
  const limit = maxCountedWeight(rules.method, rules.form.kind === 'graded' ? rules.form.scale.length : undefined);
  if (heaviest * expectedVoters <= limit) return undefined;
  return domainError('COUNT_OUT_OF_RANGE', `${rules.method} counts a total weight up to ${limit}: ${expectedVoters} voters at weight ${heaviest} could pass it`, { limit, heaviest, expectedVoters });
}

export const MAX_NAMED_WITNESSES = 32;
/** A witness's C2SP vkey, `<name>+<key ID hex>+<base64(0x04 ‖ Ed25519 key)>` (docs/witnesses.md); the audit checks the key ID. */
export const WITNESS_VKEY_PATTERN = '^[!-*,-~]{1,128}\\+[0-9a-f]{8}\\+B[A-P][A-Za-z0-9+/]{42}$';
const WITNESS_VKEY_RE = new RegExp(WITNESS_VKEY_PATTERN);

/** Sorted and distinct witness vkeys; none named is an empty list. */
function validateWitnesses(keys: unknown): string[] | DomainError {
  if (keys === undefined) return [];
  const bad = domainError('INVALID_WITNESSES', `witnesses are 0 to ${MAX_NAMED_WITNESSES} distinct witness vkeys`);
  if (!Array.isArray(keys) || keys.length > MAX_NAMED_WITNESSES || !keys.every((k) => typeof k === 'string' && WITNESS_VKEY_RE.test(k))) return bad;
  const sorted = [...(keys as string[])].sort();
  return new Set(sorted).size === sorted.length ? sorted : bad;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function configureElection(cmd: ConfigureElection, state: ElectionState): ElectionEvent[] | DomainError {
  if (state.status !== 'REGISTER') return wrongState(state, cmd.type, 'REGISTER');
  const changes: Omit<ElectionConfigured['data'], 'electionId' | 'configuredAt'> = {};

  if (cmd.theme !== undefined) {
    const theme = validateTheme(cmd.theme);
    if (typeof theme !== 'string') return theme;
    if (theme !== state.theme) changes.theme = theme;
  }
  if (cmd.choices !== undefined) {
    const choices = validateChoices(cmd.choices);
    if (!Array.isArray(choices)) return choices;
    const misfit = state.ballotRules && rulesMisfit(state.ballotRules, choices.length);
    if (misfit) return domainError('INVALID_BALLOT_FORM', `the election's ballot form does not fit ${choices.length} choices: ${misfit.message}`);
    if (!sameList(choices, state.choices)) changes.choices = choices;
  }
  if (cmd.expectedVoters !== undefined) {
    const expectedVoters = validateExpectedVoters(cmd.expectedVoters);
    if (typeof expectedVoters !== 'number') return expectedVoters;
    if (expectedVoters < state.voterCount) {
      return domainError('INVALID_EXPECTED_VOTERS', `expected voters cannot be fewer than the ${state.voterCount} already registered`, {
        registered: state.voterCount,
      });
    }
    const outOfRange = countOutOfRange(state.ballotRules, state.weightClasses, expectedVoters);
    if (outOfRange) return outOfRange;
    if (expectedVoters !== state.expectedVoters) changes.expectedVoters = expectedVoters;
  }
  if (cmd.closesAt !== undefined) {
    if (cmd.closesAt === null) {
      if (state.closesAt !== null) changes.closesAt = null;
    } else {
      const closes = parseInstant(cmd.closesAt);
      if (Number.isNaN(closes)) return domainError('INVALID_CLOSING_TIME', 'closing time must be an ISO-8601 instant with a time zone');
      const now = parseInstant(cmd.now);
      if (!(closes > now)) return domainError('INVALID_CLOSING_TIME', 'closing time must be in the future');
      const closesAt = new Date(closes).toISOString();
      if (closesAt !== state.closesAt) changes.closesAt = closesAt;
    }
  }

  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'ElectionConfigured', data: { electionId: cmd.electionId, ...changes, configuredAt: cmd.now } }];
}

function tooManyVoters(state: ElectionState, details?: Record<string, unknown>): DomainError {
  return domainError('TOO_MANY_VOTERS', `the election expects ${state.expectedVoters} voters; raise expected voters first`, {
    expectedVoters: state.expectedVoters,
    ...details,
  });
}

function registerVoter(cmd: RegisterVoter, state: ElectionState): ElectionEvent[] | DomainError {
  if (state.status !== 'REGISTER') return wrongState(state, cmd.type, 'REGISTER');
  const bad = validateProtectedEmail(cmd);
  if (bad) return bad;
  if (hasEmail(state.registeredEmails, cmd.emailHmac)) return domainError('DUPLICATE_VOTER', 'this e-mail address is already registered');
  // Auto-close counts ballots against expected voters: more voters would end the vote early.
  if (state.voterCount + 1 > state.expectedVoters) return tooManyVoters(state);
  const badWeight = checkWeight(state, cmd.weight, undefined);
  if (badWeight) return badWeight;
  const { electionId, voterId, emailHmac, emailEncrypted } = cmd;
  return [{ type: 'VoterRegistered', data: { electionId, voterId, emailHmac, emailEncrypted, ...(cmd.weight !== undefined && { weight: cmd.weight }), registeredAt: cmd.now } }];
}

/** A weighted election needs a weight naming one of its classes; an unweighted one takes none. */
function checkWeight(state: ElectionState, weight: number | undefined, line: number | undefined): DomainError | undefined {
  const at = line === undefined ? '' : `line ${line}: `;
  const details = line === undefined ? {} : { line };
  if (state.weightClasses === null) {
    return weight === undefined ? undefined : domainError('INVALID_WEIGHT', `${at}this election has no weight classes`, details);
  }
  const weights = state.weightClasses.map((c) => c.weight);
  if (weight === undefined || !weights.includes(weight)) {
    return domainError('INVALID_WEIGHT', `${at}the weight must be one of the election's classes (${weights.join(', ')})`, { ...details, classes: weights });
  }
  return undefined;
}

/** All-or-nothing: every row is accepted (or skipped), or the first bad row's error is returned. */
function registerVoters(cmd: RegisterVoters, state: ElectionState): ElectionEvent[] | DomainError {
  if (state.status !== 'REGISTER') return wrongState(state, cmd.type, 'REGISTER');
  const events: VoterRegistered[] = [];
  const lineOf = new Map<string, number>();
  let count = state.voterCount;
  for (const row of cmd.voters) {
    const bad = validateProtectedEmail(row);
    if (bad) return domainError(bad.code, `line ${row.line}: ${bad.message}`, { line: row.line });
    const hmac = row.emailHmac;
    const firstLine = lineOf.get(hmac);
    if (firstLine !== undefined) {
      return domainError('DUPLICATE_VOTER', `line ${row.line}: same e-mail address as line ${firstLine}`, { line: row.line, firstLine });
    }
    lineOf.set(hmac, row.line);
    if (hasEmail(state.registeredEmails, hmac)) {
      if (cmd.skipAlreadyRegistered) continue;
      return domainError('DUPLICATE_VOTER', `line ${row.line}: this e-mail address is already registered`, { line: row.line });
    }
    if (++count > state.expectedVoters) return tooManyVoters(state, { line: row.line, registered: state.voterCount });
    const badWeight = checkWeight(state, row.weight, row.line);
    if (badWeight) return badWeight;
    events.push({
      type: 'VoterRegistered',
      data: { electionId: cmd.electionId, voterId: row.voterId, emailHmac: hmac, emailEncrypted: row.emailEncrypted, ...(row.weight !== undefined && { weight: row.weight }), registeredAt: cmd.now },
    });
  }
  return events;
}

function startVoting(cmd: StartVoting, state: ElectionState): ElectionEvent[] | DomainError {
  if (state.status !== 'REGISTER') return wrongState(state, cmd.type, 'REGISTER');
  if (state.voterCount === 0) return domainError('NO_VOTERS', 'register at least one voter before starting the vote');
  const small = state.weightClasses && smallClass(state.weightClasses, new Map(Object.entries(state.votersPerWeight).map(([w, n]) => [Number(w), n])));
  if (small) return small;
  return [{ type: 'VotingStarted', data: { electionId: cmd.electionId, startedAt: cmd.now, registeredVoters: state.voterCount } }];
}

function endVoting(cmd: EndVoting, state: ElectionState): ElectionEvent[] | DomainError {
  if (state.status !== 'VOTE_STARTED') return wrongState(state, cmd.type, 'VOTE_STARTED');
  // The log is audited: a vote may only claim to have closed on time once the time has come.
  if (cmd.reason === 'CLOSING_TIME') {
    const closes = parseInstant(state.closesAt);
    if (Number.isNaN(closes) || parseInstant(cmd.now) < closes) {
      return domainError('INVALID_CLOSING_TIME', 'the closing time has not been reached', { closesAt: state.closesAt });
    }
  }
  return [{ type: 'VotingEnded', data: { electionId: cmd.electionId, endedAt: cmd.now, reason: cmd.reason } }];
}

export function decide(command: ElectionCommand, state: ElectionState): ElectionEvent[] | DomainError {
  if (command.type !== 'CreateElection' && state.status === 'NONE') {
    return domainError('ELECTION_NOT_FOUND', 'no such election', { electionId: command.electionId });
  }
  switch (command.type) {
    case 'CreateElection':
      return createElection(command, state);
    case 'ConfigureElection':
      return configureElection(command, state);
    case 'RegisterVoter':
      return registerVoter(command, state);
    case 'RegisterVoters':
      return registerVoters(command, state);
    case 'StartVoting':
      return startVoting(command, state);
    case 'EndVoting':
      return endVoting(command, state);
  }
}

export const electionDecider = { decide, evolve, initialState };
