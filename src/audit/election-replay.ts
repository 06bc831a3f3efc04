/**
 * Replays an election's log and refuses the first event that could not have been produced: the
 * election stream folded with the domain's `evolve`, the decider's preconditions restated over events
 * (the commands' inputs are not in the log). Checks listed in docs/audit.md, "lifecycle".
 * No Node built-in: crypto comes in as CryptoPrimitives, so the browser's audit replays the same way.
 */
import { validateWeightClasses, type WeightClass } from '../domain/weight-classes.ts';
import { ballotRulesOf, evolve, initialState, parseInstant, type ElectionState } from '../domain/election.ts';
import { rulesMisfit, validateBallotRules, type BallotRules } from '../domain/ballot-form.ts';
import type { ElectionCreated, ElectionEvent, VoterRegistered, VotingStarted, VotingEnded, ElectionConfigured, TrusteesAppointed } from '../domain/election-events.ts';
import type { BallotCast, CredentialMinted, CredentialSpent } from '../domain/credential-events.ts';
import { ballotStreamPrefix, credentialStreamPrefix, electionStreamId, tallyStreamId, voterStreamPrefix } from '../domain/streams.ts';
import type { BlindSignatureIssued } from '../domain/voter-events.ts';
import { VOTE_STATUSES, type RoundCounted, type TallyPublished, type TallyStarted, type VoteCounted, type VoteStatus } from '../domain/tally-events.ts';
import { countedByMethod } from '../domain/tally-count.ts';
import { canonicalEntryText } from '../domain/log-entry-text.ts';
import { fromBase64url, toHex } from '../crypto/bytes.ts';
import { canonicalJson } from '../crypto/canonical.ts';
import { electionFingerprintWith } from '../crypto/election-fingerprint-core.ts';
import { parseWitnessVkey, type WitnessKey } from './cosignature-core.ts';
import type { CryptoPrimitives, PublicKeyHandle } from '../crypto/primitives.ts';
import { importElectionKeys, type ElectionPublicKeys } from './ballot-opening.ts';
import { logPublicKeyFromRawWith } from './checkpoint-core.ts';
import type { LogEntry } from '../domain/log-entry-text.ts';

const HEX64 = /^[0-9a-f]{64}$/;

export interface CountedBallot {
  entry: LogEntry;
  ballotHash: string;
  ciphertext: string;
  revealedR: string | null;
  claimed: { status: VoteStatus; choice: string | null; n2Commitment: string | null; reason?: unknown; weight?: unknown };
}

/** A failed check: a stable code and a message (never a secret: the log holds none). */
export interface Violation {
  check: string;
  message: string;
  /** Found later but named at ElectionCreated (a fingerprint that TrusteesAppointed did not make right). */
  atCreation?: boolean;
}

export type ReplayOutcome = Violation | CountedBallot | undefined;

const v = (check: string, message: string): Violation => ({ check, message });
export const isViolation = (x: ReplayOutcome): x is Violation => x !== undefined && 'check' in x;

const isSortedList = (w: unknown): w is string[] => Array.isArray(w) && w.every((k, i) => typeof k === 'string' && (i === 0 || (w[i - 1] as string) < k));

export class ElectionReplay {
  state: ElectionState = initialState;
  keys?: ElectionPublicKeys;
  logKey?: PublicKeyHandle;
  private logPublicKey?: string;
  /** Of ElectionCreated's id, keys and witnesses, and TrusteesAppointed's public part (src/crypto/election-fingerprint.ts). */
  fingerprint?: string;
  /** The witnesses ElectionCreated names (sorted vkeys; empty when none), and parsed. */
  witnesses: string[] = [];
  witnessKeys: WitnessKey[] = [];
  /** ElectionCreated gave another fingerprint than the expected one: only a TrusteesAppointed right after it can still match. */
  private fingerprintPending = false;
  readonly voters = new Set<string>();
  private readonly emailHmacs = new Set<string>();
  readonly blindSigned = new Set<string>();
  /** A weighted election's classes, and blind signatures issued per class (weight → count). */
  weightClasses: WeightClass[] | null = null;
  readonly signedPerWeight = new Map<number, number>();
  /** hashN2 of the credentials minted (only to refuse a second mint: no ballot is checked against it). */
  private readonly mintedN2 = new Set<string>();
  private readonly mintedN1 = new Set<string>();
  private readonly spentN1 = new Set<string>();
  mintedBeforeEnd = 0;
  private readonly issuedTo = new Set<string>();
  /** Letters that justify another minting batch: a second CredentialIssued of a voter (a resend), a failed delivery (a re-run). */
  private extraIssuances = 0;
  /** Ballot hash → ciphertext, for ballots cast while voting was open and not yet counted. */
  private readonly toCount = new Map<string, string>();
  private readonly seenBallots = new Set<string>();
  private readonly counted = new Set<string>();
  ballotsCast = 0;
  lateBallots = 0;
  repeatedBallots = 0;
  lateCredentials = 0;
  /** Every BallotCast and CredentialSpent before VotingEnded (repeats included: each cast spends). */
  castsBeforeEnd = 0;
  spendsBeforeEnd = 0;
  lateSpends = 0;
  votingEnded = false;
  tallyStarted?: TallyStarted['data'];
  get countedBallots(): number {
    return this.counted.size;
  }
  published?: { entry: LogEntry; data: TallyPublished['data'] };
  /** RoundCounted events in log order (elections counted by their method). */
  readonly rounds: { entry: LogEntry; data: RoundCounted['data'] }[] = [];
  /** Hex leaf hash of VotingEnded: the lot's seed (docs/methods.md, "The lot"). */
  lotSeed?: string;
  /** Choices as of VotingStarted (configuration is frozen from then on). */
  choices: string[] = [];
  /** ElectionCreated's form, method and seats; null for single-choice plurality. */
  private ballotRules: BallotRules | null = null;

  // The election's stream names, built once (apply runs for every event of the log).
  private readonly electionStream: string;
  private readonly tallyStream: string;
  private readonly voterPrefix: string;
  private readonly credentialPrefix: string;
  private readonly ballotPrefix: string;

  /** `expectedFingerprint`: 64 hex digits; ElectionCreated must give exactly this fingerprint. */
  constructor(
    readonly electionId: string,
    private readonly crypto: CryptoPrimitives,
    private readonly expectedFingerprint?: string,
  ) {
    this.electionStream = electionStreamId(electionId);
    this.tallyStream = tallyStreamId(electionId);
    this.voterPrefix = voterStreamPrefix(electionId);
    this.credentialPrefix = credentialStreamPrefix(electionId);
    this.ballotPrefix = ballotStreamPrefix(electionId);
  }

  apply(e: LogEntry): ReplayOutcome {
    if (this.fingerprintPending && e.type !== 'TrusteesAppointed') return this.wrongFingerprint();
    if (this.state.status === 'NONE' && e.type !== 'ElectionCreated') return v('LIFECYCLE', `${e.type} before ElectionCreated`);
    if (e.streamId === this.electionStream) return this.electionEvent(e);
    if (e.streamId.startsWith(this.voterPrefix)) return this.voterEvent(e);
    if (e.streamId.startsWith(this.credentialPrefix)) return this.credentialEvent(e);
    if (e.streamId.startsWith(this.ballotPrefix)) return this.ballotEvent(e);
    if (e.streamId === this.tallyStream) return this.tallyEvent(e);
    return v('FOREIGN_EVENT', `stream ${e.streamId} is not part of election ${this.electionId}`);
  }

  /** Named at ElectionCreated (`atCreation`): the keys there are what the fingerprint pins. */
  private wrongFingerprint(): Violation {
    this.fingerprintPending = false;
    return { ...v('ELECTION_FINGERPRINT', `the election's keys give fingerprint ${this.fingerprint}, not the expected ${this.expectedFingerprint}`), atCreation: true };
  }

  private electionEvent(e: LogEntry): ReplayOutcome {
    const s = this.state;
    switch (e.type) {
      case 'ElectionCreated': {
        if (s.status !== 'NONE') return v('LIFECYCLE', 'the election is created twice');
        const d = e.data as ElectionCreated['data'];
        const keys = { electionId: this.electionId, authorityPublicKey: d.authorityPublicKey, ballotPublicKey: d.ballotPublicKey };
        try {
          importElectionKeys(this.crypto, keys);
        } catch {
          return v('ELECTION_KEYS', 'ElectionCreated does not carry valid RSA public keys');
        }
        const logKey = typeof d.logPublicKey === 'string' ? logPublicKeyFromRawWith(this.crypto, d.logPublicKey) : undefined;
        if (!logKey) return v('ELECTION_KEYS', 'ElectionCreated does not carry a valid Ed25519 log key');
        if (!Array.isArray(d.choices) || d.choices.length < 2) return v('LIFECYCLE', 'an election needs at least two choices');
        const named = d.witnesses ?? [];
        const witnessKeys = isSortedList(named) ? named.map((vkey) => parseWitnessVkey(this.crypto, vkey)) : [undefined];
        if (!witnessKeys.every((k) => k !== undefined)) return v('ELECTION_KEYS', 'ElectionCreated names witnesses that are not sorted, distinct, valid vkeys');
        this.witnesses = named;
        this.witnessKeys = witnessKeys;
        const hasRules = d.form !== undefined || d.method !== undefined || d.seats !== undefined;
        const rules = ballotRulesOf(d);
        const valid = rules && validateBallotRules(rules, d.choices.length);
        if (hasRules && (!valid || 'code' in valid || canonicalJson(valid) !== canonicalJson(rules))) {
          return v('BALLOT_FORM', 'ElectionCreated carries a ballot form, method or seats that election.create would have refused');
        }
        this.ballotRules = rules;
        if (d.weightClasses !== undefined) {
          const classes = validateWeightClasses(d.weightClasses, [d.authorityPublicKey, d.ballotPublicKey]);
          if (!Array.isArray(classes) || canonicalJson(classes) !== canonicalJson(d.weightClasses)) return v('ELECTION_KEYS', 'ElectionCreated carries weight classes that election.create would have refused');
          try {
            for (const c of classes) importElectionKeys(this.crypto, { ...keys, authorityPublicKey: c.authorityPublicKey });
          } catch {
            return v('ELECTION_KEYS', 'a weight class key is not a valid RSA public key');
          }
          this.weightClasses = classes;
          Object.assign(keys, { weightClasses: classes });
        }
        const fp = electionFingerprintWith(this.crypto.sha256, { electionId: this.electionId, authorityPublicKey: d.authorityPublicKey, ballotPublicKey: d.ballotPublicKey, logPublicKey: d.logPublicKey, witnesses: this.witnesses, ballot: rules, weightClasses: this.weightClasses });
        if (!fp.ok) return v('ELECTION_KEYS', fp.error.message);
        this.fingerprint = fp.value;
        this.fingerprintPending = this.expectedFingerprint !== undefined && fp.value !== this.expectedFingerprint;
        this.keys = keys;
        this.logKey = logKey;
        this.logPublicKey = d.logPublicKey;
        break;
      }
      case 'TrusteesAppointed': {
        const d = e.data as TrusteesAppointed['data'];
        if (s.status !== 'REGISTER' || s.trustees !== null) return v('LIFECYCLE', 'TrusteesAppointed outside the election\'s creation, or twice');
        if (d.ballotPublicKey !== this.keys?.ballotPublicKey) return v('ELECTION_KEYS', "the trustees' transcript names another ballot key than ElectionCreated");
        const fp = electionFingerprintWith(this.crypto.sha256, { ...this.keys, logPublicKey: this.logPublicKey as string, witnesses: this.witnesses, trustees: d, ballot: this.ballotRules });
        if (!fp.ok) return v('ELECTION_KEYS', fp.error.message);
        this.fingerprint = fp.value;
        this.fingerprintPending = this.expectedFingerprint !== undefined && fp.value !== this.expectedFingerprint;
        if (this.fingerprintPending) return this.wrongFingerprint();
        break;
      }
      case 'ElectionConfigured': {
        if (s.status !== 'REGISTER') return v('LIFECYCLE', `ElectionConfigured in ${s.status}`);
        const d = e.data as ElectionConfigured['data'];
        if (d.expectedVoters !== undefined && d.expectedVoters < this.voters.size) return v('LIFECYCLE', 'expected voters lowered below the registered voters');
        if (this.ballotRules && Array.isArray(d.choices) && rulesMisfit(this.ballotRules, d.choices.length)) return v('BALLOT_FORM', "new choices the election's ballot form does not fit");
        break;
      }
      case 'VoterRegistered': {
        if (s.status !== 'REGISTER') return v('LIFECYCLE', `VoterRegistered in ${s.status}`);
        const d = e.data as VoterRegistered['data'];
        if (typeof d.voterId !== 'string' || this.voters.has(d.voterId)) return v('DUPLICATE_VOTER', 'a voter id is registered twice');
        if (typeof d.emailHmac !== 'string' || this.emailHmacs.has(d.emailHmac)) return v('DUPLICATE_VOTER', 'an e-mail (HMAC) is registered twice');
        if (this.voters.size + 1 > s.expectedVoters) return v('LIFECYCLE', 'more voters registered than expected');
        this.voters.add(d.voterId);
        this.emailHmacs.add(d.emailHmac);
        // Not folded by evolve: its e-mail bookkeeping is the command side's, and the count is ours.
        return undefined;
      }
      case 'VotingStarted': {
        if (s.status !== 'REGISTER') return v('LIFECYCLE', `VotingStarted in ${s.status}`);
        if (this.voters.size === 0) return v('LIFECYCLE', 'voting started with no voter registered');
        const d = e.data as VotingStarted['data'];
        if (d.registeredVoters !== this.voters.size) return v('LIFECYCLE', `VotingStarted claims ${d.registeredVoters} voters, the log registers ${this.voters.size}`);
        break;
      }
      case 'VotingEnded': {
        if (s.status !== 'VOTE_STARTED') return v('LIFECYCLE', `VotingEnded in ${s.status}`);
        // Spends and ballots are released in random order, so only the close can compare them.
        if (this.castsBeforeEnd !== this.spendsBeforeEnd) {
          const what = this.castsBeforeEnd > this.spendsBeforeEnd ? 'ballot(s) no credential was spent for' : 'credential(s) spent whose ballot is not in the log';
          return v('SPEND_MISMATCH', `voting closes with ${this.castsBeforeEnd} BallotCast and ${this.spendsBeforeEnd} CredentialSpent: ${Math.abs(this.castsBeforeEnd - this.spendsBeforeEnd)} ${what}`);
        }
        const d = e.data as VotingEnded['data'];
        if (d.reason === 'CLOSING_TIME') {
          const closes = parseInstant(s.closesAt);
          if (Number.isNaN(closes) || parseInstant(d.endedAt) < closes) return v('LIFECYCLE', 'voting claims to have closed on time before its closing time');
        }
        this.votingEnded = true;
        this.lotSeed = toHex(this.crypto.leafHashOfText(canonicalEntryText(e)));
        break;
      }
      default:
        return v('UNKNOWN_EVENT', `unknown event type ${e.type} in the election stream`);
    }
    this.state = evolve(s, { type: e.type, data: e.data } as ElectionEvent);
    if (e.type === 'VotingStarted') this.choices = [...this.state.choices];
    return undefined;
  }

  private voterEvent(e: LogEntry): ReplayOutcome {
    const d = e.data as { voterId?: unknown };
    if (typeof d.voterId !== 'string' || e.streamId.length !== this.voterPrefix.length + d.voterId.length || !e.streamId.endsWith(d.voterId)) {
      return v('FOREIGN_EVENT', 'voter stream and voter id disagree');
    }
    if (!this.voters.has(d.voterId)) return v('LIFECYCLE', `${e.type} for a voter never registered`);
    switch (e.type) {
      case 'CredentialIssued':
        if (this.issuedTo.has(d.voterId)) this.extraIssuances++;
        this.issuedTo.add(d.voterId);
        return undefined;
      case 'CredentialDeliveryFailed':
        this.extraIssuances++;
        return undefined;
      case 'BlindSignatureIssued': {
        if (this.state.status !== 'VOTE_STARTED') return v('LIFECYCLE', `BlindSignatureIssued in ${this.state.status}`);
        const data = e.data as BlindSignatureIssued['data'];
        if (this.blindSigned.has(data.voterId)) return v('DUPLICATE_BLIND_SIGNATURE', 'a voter received two blind signatures');
        this.blindSigned.add(data.voterId);
        const weighted = this.weightClasses !== null && this.weightClasses.some((c) => c.weight === data.weight);
        if (this.weightClasses === null ? data.weight !== undefined : !weighted) return v('WEIGHT_CLASS', "BlindSignatureIssued names no weight class of the election's, or one in an unweighted election");
        if (data.weight !== undefined) this.signedPerWeight.set(data.weight, (this.signedPerWeight.get(data.weight) ?? 0) + 1);
        return undefined;
      }
      default:
        return v('UNKNOWN_EVENT', `unknown event type ${e.type} in a voter stream`);
    }
  }

  private credentialEvent(e: LogEntry): ReplayOutcome {
    const suffix = e.streamId.slice(this.credentialPrefix.length);
    switch (e.type) {
      case 'CredentialMinted': {
        const d = e.data as CredentialMinted['data'];
        if (e.revision !== 0) return v('LIFECYCLE', 'CredentialMinted is not the first event of its stream');
        if (d.hashN1 !== suffix || !HEX64.test(d.hashN1) || typeof d.hashN2 !== 'string' || !HEX64.test(d.hashN2)) {
          return v('MALFORMED_EVENT', 'CredentialMinted hashes are malformed or disagree with the stream');
        }
        if (this.mintedN2.has(d.hashN2) || this.mintedN1.has(d.hashN1)) return v('DUPLICATE_CREDENTIAL', 'a credential is minted twice');
        this.mintedN1.add(d.hashN1);
        this.mintedN2.add(d.hashN2);
        if (this.votingEnded) {
          this.lateCredentials++;
          return undefined;
        }
        // A batch mints at most max(its voters, the anonymity floor ≤ voters); only a resend or a re-run after
        // a failed delivery mints another batch (docs/web.md, "Resending a letter").
        const electorate = Math.max(this.voters.size, this.state.expectedVoters);
        if (this.mintedBeforeEnd + 1 > electorate * (1 + this.extraIssuances)) return v('LIFECYCLE', 'more credentials minted than voters, resends and re-runs allow');
        this.mintedBeforeEnd++;
        return undefined;
      }
      case 'CredentialSpent': {
        const d = e.data as CredentialSpent['data'];
        if (d.hashN1 !== suffix) return v('MALFORMED_EVENT', 'CredentialSpent names another credential than its stream');
        if (!this.mintedN1.has(suffix)) return v('UNMINTED_CREDENTIAL', 'CredentialSpent on a credential never minted');
        if (this.spentN1.has(suffix)) return v('CREDENTIAL_SPENT_TWICE', 'a second CredentialSpent on one credential');
        if (this.state.status === 'REGISTER') return v('LIFECYCLE', 'credential spent before voting started');
        this.spentN1.add(suffix);
        if (this.votingEnded) this.lateSpends++;
        else this.spendsBeforeEnd++;
        return undefined;
      }
      default:
        return v('UNKNOWN_EVENT', `unknown event type ${e.type} in a credential stream`);
    }
  }

  private ballotEvent(e: LogEntry): ReplayOutcome {
    if (e.type !== 'BallotCast') return v('UNKNOWN_EVENT', `unknown event type ${e.type} in a ballot stream`);
    if (e.revision !== 0) return v('LIFECYCLE', 'BallotCast is not alone in its ballot stream');
    if (this.state.status === 'REGISTER') return v('LIFECYCLE', 'ballot cast before voting started');
    const d = e.data as BallotCast['data'];
    if (typeof d.ballotHash !== 'string' || typeof d.ciphertext !== 'string') return v('MALFORMED_EVENT', 'BallotCast is malformed');
    // Anything more (a credential's hash, a time) could lead back to a voter.
    if (Object.keys(d).length !== 3) return v('BALLOT_LINKED', 'BallotCast carries more than electionId, ballotHash and ciphertext');
    // The hash is always recomputed: the server refuses a cast it cannot decode, so such a cast is forged.
    const bytes = fromBase64url(d.ciphertext);
    if (!bytes) return v('BALLOT_CIPHERTEXT', 'BallotCast ciphertext is not canonical base64url: its ballot hash cannot be recomputed');
    const ballotHash = toHex(this.crypto.sha256(bytes));
    if (ballotHash !== d.ballotHash) return v('BALLOT_HASH', 'ballot hash is not SHA-256 of the ciphertext');
    // Legal but never counted, as the tally rules (src/tally/covered-ballots.ts): a ballot cast
    // after VotingEnded in log order, and a byte-identical copy of an earlier ballot.
    if (this.votingEnded) {
      this.lateBallots++;
      return undefined;
    }
    this.castsBeforeEnd++;
    if (this.seenBallots.has(ballotHash)) this.repeatedBallots++;
    else {
      this.seenBallots.add(ballotHash);
      this.ballotsCast++;
      this.toCount.set(ballotHash, d.ciphertext);
    }
    return undefined;
  }

  private tallyEvent(e: LogEntry): ReplayOutcome {
    switch (e.type) {
      case 'TallyStarted': {
        if (!this.votingEnded) return v('LIFECYCLE', 'tally started before voting ended');
        if (this.tallyStarted) return v('LIFECYCLE', 'tally started twice');
        const d = e.data as TallyStarted['data'];
        if (d.ballots !== this.ballotsCast) return v('TALLY_BALLOTS', `TallyStarted covers ${d.ballots} ballots, ${this.ballotsCast} were cast before voting ended`);
        this.tallyStarted = d;
        return undefined;
      }
      case 'VoteCounted': {
        if (!this.tallyStarted || this.published) return v('LIFECYCLE', 'VoteCounted outside the tally');
        if (this.rounds.length > 0) return v('LIFECYCLE', "VoteCounted after the count's rounds");
        const d = e.data as VoteCounted['data'];
        if (!VOTE_STATUSES.includes(d.status)) return v('MALFORMED_EVENT', 'unknown vote status');
        if (this.counted.has(d.ballotHash)) return v('COUNTED_TWICE', 'a ballot is counted twice');
        const ciphertext = this.toCount.get(d.ballotHash);
        if (ciphertext === undefined) return v('UNKNOWN_BALLOT', 'VoteCounted for a ballot not cast while voting was open');
        this.toCount.delete(d.ballotHash);
        this.counted.add(d.ballotHash);
        return {
          entry: e,
          ballotHash: d.ballotHash,
          ciphertext,
          revealedR: d.revealedR,
          claimed: { status: d.status, choice: d.choice, n2Commitment: d.n2Commitment, ...(d.reason !== undefined && { reason: d.reason }), ...(d.weight !== undefined && { weight: d.weight }) },
        };
      }
      case 'TrusteeFaulted':
        // It only names a trustee: every r is checked by r^e = c0 whoever's partials gave it.
        if (!this.tallyStarted || this.published || this.state.trustees === null) return v('LIFECYCLE', 'TrusteeFaulted outside a trustee election\'s tally');
        return undefined;
      case 'RoundCounted': {
        if (!this.tallyStarted || this.published) return v('LIFECYCLE', 'RoundCounted outside the tally');
        if (!countedByMethod(this.state.ballotRules)) return v('ROUND_EXTRA', 'RoundCounted in an election counted by plain plurality (default ballot rules)');
        if (this.toCount.size > 0) return v('BALLOT_NOT_COUNTED', `RoundCounted while ${this.toCount.size} ballot(s) cast while voting was open have no VoteCounted`);
        this.rounds.push({ entry: e, data: e.data as RoundCounted['data'] });
        return undefined;
      }
      case 'TallyPublished': {
        if (!this.tallyStarted || this.published) return v('LIFECYCLE', 'TallyPublished without a tally, or twice');
        if (this.toCount.size > 0) return v('BALLOT_NOT_COUNTED', `${this.toCount.size} ballot(s) cast while voting was open have no VoteCounted`);
        this.published = { entry: e, data: e.data as TallyPublished['data'] };
        return undefined;
      }
      default:
        return v('UNKNOWN_EVENT', `unknown event type ${e.type} in the tally stream`);
    }
  }
}
