import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { decide, evolve, initialState, isRegistered, electionDecider, validateEmail, type ElectionState } from '../../src/domain/election.ts';
import type { ElectionCommand, RegisterVoters } from '../../src/domain/election-commands.ts';
import type { ElectionEvent } from '../../src/domain/election-events.ts';
import { isDomainError, type DomainError, type DomainErrorCode } from '../../src/domain/errors.ts';

const EID = 'e-1';
const T0 = '2030-01-01T09:00:00.000Z';
const T1 = '2030-01-01T10:00:00.000Z';
const T2 = '2030-01-02T10:00:00.000Z';

const fold = (events: ElectionEvent[]): ElectionState => events.reduce(evolve, initialState);

// The decider sees e-mails only as the handler protects them (HMAC + ciphertext under the PII key).
// Stand-ins with the same shape: the HMAC is a plain hash of the normalised address, the
// "ciphertext" a base64url tag of it; the decider must treat both as opaque.
const hmacOf = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
const encOf = (email: string) => Buffer.from(`enc:${email.trim().toLowerCase()}:0123456789abcdef0123`).toString('base64url');
const prot = (email: string) => ({ emailHmac: hmacOf(email), emailEncrypted: encOf(email) });
const KEYS = { authorityPublicKey: 'a'.repeat(392), ballotPublicKey: 'b'.repeat(392), logPublicKey: 'c'.repeat(43) };

/** given(...events).when(command).then(events) / .thenError(code, details?) */
function given(...history: ElectionEvent[]) {
  return {
    when(command: ElectionCommand) {
      const result = decide(command, fold(history));
      return {
        result,
        then(expected: ElectionEvent[]) {
          if (isDomainError(result)) throw new Error(`expected events, got ${result.code}: ${result.message}`);
          expect(result).toEqual(expected);
        },
        thenError(code: DomainErrorCode, details?: Record<string, unknown>): DomainError {
          if (!isDomainError(result)) throw new Error(`expected ${code}, got events ${JSON.stringify(result)}`);
          expect(result.code).toBe(code);
          if (details) expect(result.details).toMatchObject(details);
          return result;
        },
      };
    },
  };
}

const created = (over: Partial<{ theme: string; choices: string[]; expectedVoters: number }> = {}): ElectionEvent => ({
  type: 'ElectionCreated',
  data: { electionId: EID, theme: 'Board election', choices: ['Alice', 'Bob'], expectedVoters: 3, createdAt: T0, ...KEYS, ...over },
});
const registered = (n: number, email = `voter${n}@example.org`): ElectionEvent => ({
  type: 'VoterRegistered',
  data: { electionId: EID, voterId: `v-${n}`, ...prot(email), registeredAt: T0 },
});
const started = (registeredVoters = 1): ElectionEvent => ({ type: 'VotingStarted', data: { electionId: EID, startedAt: T1, registeredVoters } });
const ended: ElectionEvent = { type: 'VotingEnded', data: { electionId: EID, endedAt: T2, reason: 'ADMIN' } };
const configured = (data: Record<string, unknown>): ElectionEvent =>
  ({ type: 'ElectionConfigured', data: { electionId: EID, configuredAt: T0, ...data } }) as ElectionEvent;

const create = (over: Partial<{ theme: unknown; choices: unknown; expectedVoters: unknown; publicKeys: unknown }> = {}): ElectionCommand =>
  ({ type: 'CreateElection', electionId: EID, theme: 'Board election', choices: ['Alice', 'Bob'], expectedVoters: 3, publicKeys: KEYS, now: T0, ...over }) as ElectionCommand;
const configure = (fields: Record<string, unknown>, now = T0): ElectionCommand =>
  ({ type: 'ConfigureElection', electionId: EID, now, ...fields }) as ElectionCommand;
const register = (email: string, voterId = 'v-new'): ElectionCommand => ({ type: 'RegisterVoter', electionId: EID, voterId, ...prot(email), now: T1 });
const registerMany = (emails: string[], skipAlreadyRegistered = false): RegisterVoters => ({
  type: 'RegisterVoters',
  electionId: EID,
  voters: emails.map((email, i) => ({ voterId: `b-${i}`, ...prot(email), line: i + 2 })),
  skipAlreadyRegistered,
  now: T1,
});
const start: ElectionCommand = { type: 'StartVoting', electionId: EID, now: T1 };
const end = (reason: 'ADMIN' | 'ALL_VOTED' | 'CLOSING_TIME' = 'ADMIN', now = T2): ElectionCommand => ({ type: 'EndVoting', electionId: EID, reason, now });

describe('election decider: non-existent election', () => {
  it.each<ElectionCommand>([configure({ theme: 'x' }), register('a@example.org'), registerMany(['a@example.org']), start, end()])(
    '$type on a missing election → ELECTION_NOT_FOUND',
    (cmd) => {
      given().when(cmd).thenError('ELECTION_NOT_FOUND', { electionId: EID });
    },
  );
});

describe('CreateElection', () => {
  it('emits ElectionCreated with trimmed values', () => {
    given()
      .when(create({ theme: '  Board election ', choices: [' Alice', 'Bob  '] }))
      .then([created()]);
  });

  it('writes form, method and seats into ElectionCreated when they are not single-choice plurality; refuses a method that does not fit the form', () => {
    const ranked = created({ choices: ['Alice', 'Bob', 'Cy'] });
    Object.assign(ranked.data, { form: { kind: 'ranked', blank: false, full: false }, method: 'stv-scottish', seats: 2 });
    given().when({ ...create({ choices: ['Alice', 'Bob', 'Cy'] }), form: { kind: 'ranked' }, method: 'stv-scottish', seats: 2 } as ElectionCommand).then([ranked]);
    expect(fold([ranked]).ballotRules).toEqual({ form: { kind: 'ranked', blank: false, full: false }, method: 'stv-scottish', seats: 2 });
    // The default, spelled out, is written as nothing: the event (and the fingerprint) of every election before forms.
    given().when({ ...create(), form: { kind: 'single' }, method: 'plurality', seats: 1 } as ElectionCommand).then([created()]);
    expect(fold([created()]).ballotRules).toBeNull();
    given().when({ ...create(), form: { kind: 'approval' }, method: 'schulze' } as ElectionCommand).thenError('METHOD_FORM_MISMATCH', { method: 'schulze', form: 'approval' });
    given().when({ ...create(), method: 'schulze', seats: 2 } as ElectionCommand).thenError('INVALID_SEATS');
    given().when({ ...create(), form: { kind: 'graded', scale: ['Bad'] }, method: 'score' } as ElectionCommand).thenError('INVALID_BALLOT_FORM');
    given().when({ ...create(), method: 'borda' } as unknown as ElectionCommand).thenError('INVALID_METHOD');
  });

  it('refuses new choices the ballot form no longer fits → INVALID_BALLOT_FORM', () => {
    const approval = created({ choices: ['Alice', 'Bob', 'Cy'] });
    Object.assign(approval.data, { form: { kind: 'approval', blank: false, min: 3 }, method: 'approval', seats: 1 });
    given(approval).when(configure({ choices: ['Alice', 'Bob'] })).thenError('INVALID_BALLOT_FORM');
    given(approval).when(configure({ choices: ['Alice', 'Bob', 'Dan'] })).then([configured({ choices: ['Alice', 'Bob', 'Dan'] })]);
  });

  it('names witnesses in ElectionCreated, sorted, only when some are given; refuses malformed or repeated vkeys → INVALID_WITNESSES', () => {
    const wa = `w.example/a+0a1b2c3d+BA${'A'.repeat(42)}`;
    const wb = `w.example/b+0a1b2c3d+BP${'z'.repeat(42)}`;
    const withWitnesses = created();
    (withWitnesses.data as { witnesses?: string[] }).witnesses = [wa, wb];
    given().when({ ...create(), witnesses: [wb, wa] } as ElectionCommand).then([withWitnesses]);
    given().when({ ...create(), witnesses: [] } as ElectionCommand).then([created()]);
    for (const witnesses of [[wa, wa], ['not a vkey'], [wa.replace('+BA', '+BZ')], 'x', Array.from({ length: 33 }, (_, i) => `w${i}+0a1b2c3d+BA${'A'.repeat(42)}`)]) {
      given().when({ ...create(), witnesses } as unknown as ElectionCommand).thenError('INVALID_WITNESSES');
    }
  });

  it('refuses an existing election → ELECTION_ALREADY_EXISTS', () => {
    given(created()).when(create()).thenError('ELECTION_ALREADY_EXISTS');
    given(created(), started(), ended).when(create()).thenError('ELECTION_ALREADY_EXISTS');
  });

  it.each([[''], ['a b'], ['election/../x'], ['x'.repeat(65)], [7]])('refuses election id %j → INVALID_ELECTION_ID', (electionId) => {
    given()
      .when({ ...create(), electionId } as ElectionCommand)
      .thenError('INVALID_ELECTION_ID');
  });

  it('accepts a uuid as election id', () => {
    const electionId = '0b6f3c1e-6a43-4c1b-9d0e-3f1f6f1b2a77';
    const result = given().when({ ...create(), electionId } as ElectionCommand).result;
    expect(result).toEqual([{ ...created(), data: { ...created().data, electionId } }]);
  });

  it.each([[''], ['   '], ['x'.repeat(201)], [42], ['a\u0000b'], ['line\nbreak'], ['bell\u0007']])('refuses theme %j → INVALID_THEME', (theme) => {
    given().when(create({ theme })).thenError('INVALID_THEME');
  });

  it('accepts a theme of exactly 200 characters, counting code points', () => {
    given().when(create({ theme: 'x'.repeat(200) })).then([created({ theme: 'x'.repeat(200) })]);
    const emoji = '🗳'.repeat(200); // 400 UTF-16 units, 200 characters
    given().when(create({ theme: emoji })).then([created({ theme: emoji })]);
  });

  it.each([
    ['one choice', ['Alice']],
    ['no choices', []],
    ['65 choices', Array.from({ length: 65 }, (_, i) => `c${i}`)],
    ['an empty choice', ['Alice', '  ']],
    ['a choice over 200 characters', ['Alice', 'b'.repeat(201)]],
    ['a duplicate after trimming', ['Alice', ' Alice ']],
    ['a duplicate ignoring case', ['Alice', 'ALICE']],
    ['a non-string', ['Alice', 7]],
    ['a NUL character', ['Alice', 'B\u0000b']],
    ['not an array', 'Alice,Bob'],
  ])('refuses %s → INVALID_CHOICES', (_label, choices) => {
    given().when(create({ choices })).thenError('INVALID_CHOICES');
  });

  it('accepts 2 and 64 choices', () => {
    const many = Array.from({ length: 64 }, (_, i) => `c${i}`);
    given().when(create({ choices: many })).then([created({ choices: many })]);
    given().when(create({ choices: ['y', 'n'] })).then([created({ choices: ['y', 'n'] })]);
  });

  it.each([[0], [-1], [1.5], [10_000_001], [Number.NaN], ['3']])('refuses expectedVoters %j → INVALID_EXPECTED_VOTERS', (expectedVoters) => {
    given().when(create({ expectedVoters })).thenError('INVALID_EXPECTED_VOTERS');
  });

  it.each([
    ['no keys', undefined],
    ['a short authority key', { ...KEYS, authorityPublicKey: 'a'.repeat(20) }],
    ['a ballot key that is not base64url', { ...KEYS, ballotPublicKey: '+'.repeat(392) }],
    ['a log key of the wrong length', { ...KEYS, logPublicKey: 'c'.repeat(44) }],
    ['the same RSA key twice', { ...KEYS, ballotPublicKey: KEYS.authorityPublicKey }],
  ])('refuses %s → INVALID_ELECTION_KEYS', (_label, publicKeys) => {
    given().when(create({ publicKeys })).thenError('INVALID_ELECTION_KEYS');
  });

  it('carries the public keys into ElectionCreated and the state', () => {
    given().when(create()).then([created()]);
    expect(fold([created()]).publicKeys).toEqual(KEYS);
  });

  it('accepts expectedVoters 1 and 10,000,000', () => {
    given().when(create({ expectedVoters: 1 })).then([created({ expectedVoters: 1 })]);
    given().when(create({ expectedVoters: 10_000_000 })).then([created({ expectedVoters: 10_000_000 })]);
  });
});

describe('ConfigureElection', () => {
  it('emits only the fields given and changed', () => {
    given(created())
      .when(configure({ theme: ' New theme ', expectedVoters: 3, choices: ['Alice', 'Bob'] }))
      .then([configured({ theme: 'New theme' })]);
  });

  it('emits every changed field, closesAt normalised to UTC', () => {
    given(created())
      .when(configure({ theme: 'T', choices: ['Yes', 'No', 'Blank'], expectedVoters: 10, closesAt: '2030-01-05T12:00:00+02:00' }))
      .then([configured({ theme: 'T', choices: ['Yes', 'No', 'Blank'], expectedVoters: 10, closesAt: '2030-01-05T10:00:00.000Z' })]);
  });

  it('with no fields (or nothing changed) emits nothing', () => {
    given(created()).when(configure({})).then([]);
    given(created(), configured({ closesAt: T2 })).when(configure({ closesAt: T2 })).then([]);
    given(created()).when(configure({ closesAt: null })).then([]);
  });

  it('clears the closing time with null', () => {
    given(created(), configured({ closesAt: T2 })).when(configure({ closesAt: null })).then([configured({ closesAt: null })]);
  });

  it.each([
    ['VOTE_STARTED', [created(), registered(1), started()]],
    ['VOTE_ENDED', [created(), registered(1), started(), ended]],
  ] as const)('refuses in %s → WRONG_STATE naming both states', (current, history) => {
    const err = given(...history)
      .when(configure({ theme: 'x' }))
      .thenError('WRONG_STATE', { current, required: 'REGISTER' });
    expect(err.message).toContain(current);
    expect(err.message).toContain('REGISTER');
  });

  it('validates the given fields like CreateElection', () => {
    given(created()).when(configure({ theme: ' ' })).thenError('INVALID_THEME');
    given(created()).when(configure({ choices: ['only'] })).thenError('INVALID_CHOICES');
    given(created()).when(configure({ expectedVoters: 0 })).thenError('INVALID_EXPECTED_VOTERS');
  });

  it('refuses fewer expected voters than already registered → INVALID_EXPECTED_VOTERS', () => {
    given(created(), registered(1), registered(2)).when(configure({ expectedVoters: 1 })).thenError('INVALID_EXPECTED_VOTERS', { registered: 2 });
    given(created(), registered(1), registered(2)).when(configure({ expectedVoters: 2 })).then([configured({ expectedVoters: 2 })]);
  });

  it.each([
    ['not a date', 'tomorrow'],
    ['a date without time zone', '2030-01-05T10:00:00'],
    ['an impossible date', '2030-13-45T10:00:00Z'],
    ['the past', '2029-12-31T00:00:00Z'],
    ['exactly now', T0],
  ])('refuses closesAt %s → INVALID_CLOSING_TIME', (_label, closesAt) => {
    given(created()).when(configure({ closesAt }, T0)).thenError('INVALID_CLOSING_TIME');
  });
});

describe('validateEmail (the handler validates and normalises before protecting the address)', () => {
  it('normalises: trimmed, lower-cased', () => {
    expect(validateEmail('  Jane.Doe+vote@Example.ORG ')).toBe('jane.doe+vote@example.org');
  });

  it.each([
    [''],
    ['plainaddress'],
    ['@example.org'],
    ['a@'],
    ['a@example'],
    ['a b@example.org'],
    ['a..b@example.org'],
    ['.a@example.org'],
    ['a@-example.org'],
    ['a@example..org'],
    ['a@b@example.org'],
    ['"quoted"@example.org'],
    ['a@[127.0.0.1]'],
    [`${'a'.repeat(65)}@example.org`],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.org`], // > 254 characters
  ])('refuses %j → INVALID_EMAIL', (email) => {
    expect(validateEmail(email)).toMatchObject({ kind: 'DomainError', code: 'INVALID_EMAIL' });
  });

  it('never echoes the e-mail address in the error message', () => {
    const err = validateEmail('secret person@example.org');
    expect(err).toMatchObject({ code: 'INVALID_EMAIL' });
    expect(JSON.stringify(err)).not.toContain('secret');
  });
});

describe('RegisterVoter', () => {
  it('emits VoterRegistered with the e-mail HMAC and ciphertext, never the address', () => {
    const result = given(created()).when(register('jane.doe+vote@example.org')).result;
    expect(result).toEqual([
      { type: 'VoterRegistered', data: { electionId: EID, voterId: 'v-new', ...prot('jane.doe+vote@example.org'), registeredAt: T1 } },
    ]);
    expect(JSON.stringify(result)).not.toContain('jane');
  });

  it.each([
    ['an HMAC that is not 64 hex digits', { emailHmac: 'ABC', emailEncrypted: encOf('a@example.org') }],
    ['an upper-case HMAC', { emailHmac: hmacOf('a@example.org').toUpperCase(), emailEncrypted: encOf('a@example.org') }],
    ['an empty ciphertext', { emailHmac: hmacOf('a@example.org'), emailEncrypted: '' }],
    ['a ciphertext that is not base64url', { emailHmac: hmacOf('a@example.org'), emailEncrypted: 'a@example.org'.repeat(4) }],
  ])('refuses %s → INVALID_EMAIL', (_label, email) => {
    given(created())
      .when({ type: 'RegisterVoter', electionId: EID, voterId: 'v-x', ...email, now: T1 })
      .thenError('INVALID_EMAIL');
  });

  it('refuses an already-registered e-mail (same HMAC) → DUPLICATE_VOTER', () => {
    given(created(), registered(1, 'jane@example.org')).when(register('JANE@example.org ')).thenError('DUPLICATE_VOTER');
  });

  it('refuses more voters than expected → TOO_MANY_VOTERS', () => {
    given(created({ expectedVoters: 2 }), registered(1), registered(2)).when(register('c@example.org')).thenError('TOO_MANY_VOTERS', { expectedVoters: 2 });
  });

  it('refuses after the vote started → WRONG_STATE', () => {
    given(created(), registered(1), started()).when(register('c@example.org')).thenError('WRONG_STATE', { current: 'VOTE_STARTED', required: 'REGISTER' });
  });
});

describe('RegisterVoters (bulk)', () => {
  it('emits one VoterRegistered per row, in order, with the protected e-mails', () => {
    const result = given(created()).when(registerMany(['B@example.org', 'a@example.org'])).result;
    expect(result).toEqual([
      { type: 'VoterRegistered', data: { electionId: EID, voterId: 'b-0', ...prot('b@example.org'), registeredAt: T1 } },
      { type: 'VoterRegistered', data: { electionId: EID, voterId: 'b-1', ...prot('a@example.org'), registeredAt: T1 } },
    ]);
  });

  it('reports the first malformed row with its line → INVALID_EMAIL', () => {
    const cmd = registerMany(['a@example.org', 'b@example.org', 'c@example.org']);
    cmd.voters[1] = { ...cmd.voters[1]!, emailHmac: 'nope' };
    cmd.voters[2] = { ...cmd.voters[2]!, emailEncrypted: '' };
    const err = given(created()).when(cmd).thenError('INVALID_EMAIL', { line: 3 });
    expect(err.message).toContain('line 3');
  });

  it('refuses a duplicate inside the batch with both lines → DUPLICATE_VOTER', () => {
    given(created()).when(registerMany(['a@example.org', 'b@example.org', 'A@example.org'])).thenError('DUPLICATE_VOTER', { line: 4, firstLine: 2 });
  });

  it('refuses a duplicate inside the batch even when skipping registered ones', () => {
    given(created(), registered(1, 'a@example.org'))
      .when(registerMany(['a@example.org', 'a@example.org'], true))
      .thenError('DUPLICATE_VOTER', { line: 3, firstLine: 2 });
  });

  it('refuses an already-registered e-mail with its line → DUPLICATE_VOTER', () => {
    given(created(), registered(1, 'b@example.org')).when(registerMany(['a@example.org', 'b@example.org'])).thenError('DUPLICATE_VOTER', { line: 3 });
  });

  it('skips already-registered e-mails when asked', () => {
    const result = given(created(), registered(1, 'b@example.org')).when(registerMany(['a@example.org', 'B@example.org', 'c@example.org'], true)).result;
    expect(isDomainError(result)).toBe(false);
    expect((result as ElectionEvent[]).map((e) => (e.data as { voterId: string }).voterId)).toEqual(['b-0', 'b-2']);
  });

  it('refuses the row that exceeds expected voters with its line → TOO_MANY_VOTERS', () => {
    given(created({ expectedVoters: 3 }), registered(1))
      .when(registerMany(['a@example.org', 'b@example.org', 'c@example.org']))
      .thenError('TOO_MANY_VOTERS', { line: 4, expectedVoters: 3 });
  });

  it('does not count skipped rows against expected voters', () => {
    given(created({ expectedVoters: 2 }), registered(1, 'a@example.org'))
      .when(registerMany(['a@example.org', 'b@example.org'], true))
      .then([{ type: 'VoterRegistered', data: { electionId: EID, voterId: 'b-1', ...prot('b@example.org'), registeredAt: T1 } }]);
  });

  it('is all-or-nothing: a bad last row refuses the whole batch', () => {
    const emails = Array.from({ length: 1001 }, (_, i) => `v${i}@example.org`);
    const cmd = registerMany(emails);
    cmd.voters[1000] = { ...cmd.voters[1000]!, emailHmac: 'broken' };
    given(created({ expectedVoters: 2000 })).when(cmd).thenError('INVALID_EMAIL', { line: 1002 });
  });

  it('refuses after the vote started → WRONG_STATE', () => {
    given(created(), registered(1), started()).when(registerMany(['c@example.org'])).thenError('WRONG_STATE', { current: 'VOTE_STARTED' });
  });

  it('an empty batch emits nothing', () => {
    given(created()).when(registerMany([])).then([]);
  });
});

describe('StartVoting', () => {
  it('emits VotingStarted with the registered voter count', () => {
    given(created(), registered(1), registered(2)).when(start).then([started(2)]);
  });

  it('refuses without voters → NO_VOTERS', () => {
    given(created()).when(start).thenError('NO_VOTERS');
  });

  it('refuses twice → WRONG_STATE', () => {
    given(created(), registered(1), started()).when(start).thenError('WRONG_STATE', { current: 'VOTE_STARTED', required: 'REGISTER' });
    given(created(), registered(1), started(), ended).when(start).thenError('WRONG_STATE', { current: 'VOTE_ENDED', required: 'REGISTER' });
  });
});

describe('EndVoting', () => {
  it('emits VotingEnded with the reason', () => {
    given(created(), registered(1), started()).when(end('ADMIN')).then([ended]);
    given(created(), registered(1), started())
      .when(end('ALL_VOTED'))
      .then([{ type: 'VotingEnded', data: { electionId: EID, endedAt: T2, reason: 'ALL_VOTED' } }]);
  });

  it('refuses before the vote started → WRONG_STATE', () => {
    given(created(), registered(1)).when(end()).thenError('WRONG_STATE', { current: 'REGISTER', required: 'VOTE_STARTED' });
  });

  it('VOTE_ENDED is final → WRONG_STATE', () => {
    given(created(), registered(1), started(), ended).when(end()).thenError('WRONG_STATE', { current: 'VOTE_ENDED', required: 'VOTE_STARTED' });
  });

  it('CLOSING_TIME only once the configured time has come → INVALID_CLOSING_TIME', () => {
    const history = [created(), configured({ closesAt: T2 }), registered(1), started()];
    given(...history).when(end('CLOSING_TIME', T1)).thenError('INVALID_CLOSING_TIME');
    given(created(), registered(1), started()).when(end('CLOSING_TIME', T2)).thenError('INVALID_CLOSING_TIME');
    given(...history)
      .when(end('CLOSING_TIME', T2))
      .then([{ type: 'VotingEnded', data: { electionId: EID, endedAt: T2, reason: 'CLOSING_TIME' } }]);
  });
});

describe('evolve', () => {
  it('folds the lifecycle', () => {
    const s = fold([created(), configured({ theme: 'T2', closesAt: T2 }), registered(1, 'a@example.org'), started(1), ended]);
    expect(s).toMatchObject({ status: 'VOTE_ENDED', theme: 'T2', closesAt: T2, voterCount: 1, createdAt: T0, startedAt: T1, endedAt: T2 });
    expect(isRegistered(s, hmacOf('A@example.org'))).toBe(true);
    expect(isRegistered(s, hmacOf('b@example.org'))).toBe(false);
  });

  it('never changes a state someone already holds (forks are independent)', () => {
    const base = fold([created(), registered(1, 'a@example.org')]);
    const left = evolve(base, registered(2, 'left@example.org'));
    const right = evolve(base, registered(3, 'right@example.org'));
    const leftNext = evolve(left, registered(4, 'next@example.org'));
    expect([base.voterCount, left.voterCount, right.voterCount, leftNext.voterCount]).toEqual([1, 2, 2, 3]);
    expect(isRegistered(base, hmacOf('left@example.org'))).toBe(false);
    expect(isRegistered(left, hmacOf('right@example.org'))).toBe(false);
    expect(isRegistered(right, hmacOf('left@example.org'))).toBe(false);
    expect(isRegistered(right, hmacOf('right@example.org'))).toBe(true);
    expect(isRegistered(leftNext, hmacOf('left@example.org'))).toBe(true);
    expect(isRegistered(leftNext, hmacOf('right@example.org'))).toBe(false);
    expect(isRegistered(initialState, hmacOf('a@example.org'))).toBe(false);
    // A second election from the initial state does not see the first one's voters.
    expect(isRegistered(fold([created()]), hmacOf('a@example.org'))).toBe(false);
  });

  // No timing assertion (speed is measured in bench/): a Set copied per event would make this fold
  // quadratic and take minutes, which the test timeout would catch.
  it('folds 100,000 registrations', () => {
    const events: ElectionEvent[] = [created({ expectedVoters: 100_000 })];
    for (let i = 0; i < 100_000; i++) events.push(registered(i));
    const s = events.reduce(electionDecider.evolve, electionDecider.initialState);
    expect(s.voterCount).toBe(100_000);
    expect(isRegistered(s, hmacOf('voter99999@example.org'))).toBe(true);
  });
});

describe('weighted elections (docs/methods.md "Weighted voters")', () => {
  const CLASSES = [{ weight: 1, authorityPublicKey: 'd'.repeat(392) }, { weight: 3, authorityPublicKey: 'e'.repeat(392) }];
  const weightedCreated: ElectionEvent = { type: 'ElectionCreated', data: { electionId: EID, theme: 'Board election', choices: ['Alice', 'Bob'], expectedVoters: 5, createdAt: T0, ...KEYS, weightClasses: CLASSES } };
  const weighted = (n: number, weight: number): ElectionEvent => ({ type: 'VoterRegistered', data: { electionId: EID, voterId: `v-${n}`, ...prot(`voter${n}@example.org`), weight, registeredAt: T0 } });
  const withWeights = (weights: (number | undefined)[]): RegisterVoters => {
    const cmd = registerMany(weights.map((_, i) => `w${i}@example.org`));
    cmd.voters = cmd.voters.map((v, i) => (weights[i] === undefined ? v : { ...v, weight: weights[i] }));
    return cmd;
  };

  it('creates with the classes sorted by weight, and refuses a shared key or repeated weight', () => {
    const result = given().when({ ...create(), weightClasses: [CLASSES[1]!, CLASSES[0]!] } as ElectionCommand).result as ElectionEvent[];
    expect((result[0]!.data as { weightClasses?: unknown }).weightClasses).toEqual(CLASSES);
    given().when({ ...create(), weightClasses: [CLASSES[0]!, { weight: 3, authorityPublicKey: KEYS.authorityPublicKey }] } as ElectionCommand).thenError('INVALID_ELECTION_KEYS');
    given().when({ ...create(), weightClasses: [CLASSES[0]!, { ...CLASSES[1]!, weight: 1 }] } as ElectionCommand).thenError('INVALID_WEIGHTS');
    expect(given().when(create()).result).toEqual([created()]);
  });

  it('registers a weight that names a class, with the line of the first that does not', () => {
    const result = given(weightedCreated).when(withWeights([1, 3])).result as ElectionEvent[];
    expect(result.map((e) => (e.data as { weight?: number }).weight)).toEqual([1, 3]);
    given(weightedCreated).when(withWeights([1, 2])).thenError('INVALID_WEIGHT', { line: 3, classes: [1, 3] });
    given(weightedCreated).when(withWeights([undefined])).thenError('INVALID_WEIGHT', { line: 2 });
    given(created()).when(withWeights([1])).thenError('INVALID_WEIGHT', { line: 2 });
  });

  it('refuses an STV election whose heaviest weight times its expected voters could pass what 10^-5 units count exactly, at creation and when raising the voters', () => {
    const stv = { form: { kind: 'ranked' }, method: 'stv-scottish', seats: 1 };
    const heavy = [{ weight: 1, authorityPublicKey: 'd'.repeat(392) }, { weight: 10_000, authorityPublicKey: 'e'.repeat(392) }];
    // floor((2^53 - 1) / 10^5) = 90,071,992,547: 9,007,199 voters at 10,000 fit, one more does not.
    const created = given().when({ ...create({ expectedVoters: 9_007_199 }), ...stv, weightClasses: heavy } as ElectionCommand).result as ElectionEvent[];
    expect(created[0]!.type).toBe('ElectionCreated');
    given().when({ ...create({ expectedVoters: 9_007_200 }), ...stv, weightClasses: heavy } as ElectionCommand).thenError('COUNT_OUT_OF_RANGE', { limit: 90_071_992_547, heaviest: 10_000, expectedVoters: 9_007_200 });
    // Unweighted, or counted by another method, the same electorate fits.
    expect((given().when({ ...create({ expectedVoters: 9_007_200 }), weightClasses: heavy } as ElectionCommand).result as ElectionEvent[])[0]!.type).toBe('ElectionCreated');
    given(created[0]!).when(configure({ expectedVoters: 9_007_200 })).thenError('COUNT_OUT_OF_RANGE');
  });

  it('opens only when every class has at least two voters', () => {
    given(weightedCreated, weighted(1, 1), weighted(2, 1), weighted(3, 3)).when(start).thenError('WEIGHT_CLASS_TOO_SMALL', { weight: 3, voters: 1 });
    given(weightedCreated, weighted(1, 1), weighted(2, 1), weighted(3, 3), weighted(4, 3)).when(start).then([{ type: 'VotingStarted', data: { electionId: EID, startedAt: T1, registeredVoters: 4 } }]);
  });
});
