/**
 * `evote witness run --fingerprint`: the witness co-signs an election's checkpoints only when the
 * election the log creates has the fingerprint it was given (docs/witnesses.md, "Pinning the
 * election"), instead of trusting the log key of whatever ElectionCreated it is shown first.
 */
import { electionFingerprint } from '../crypto/election-fingerprint.ts';
import type { ElectionCreated, TrusteesAppointed } from '../domain/election-events.ts';
import { electionStreamId } from '../domain/streams.ts';
import { ballotRulesOf } from '../domain/election.ts';
import type { Refusal } from './witness-core.ts';

export class ElectionPin {
  private created?: ElectionCreated['data'];
  private trustees?: TrusteesAppointed['data'];
  private readonly electionStream: string;

  /** `pinnedBefore`: the fingerprint an earlier run checked (the witness state), for a run resumed after ElectionCreated. */
  constructor(
    electionId: string,
    readonly expected?: string,
    private readonly pinnedBefore?: string,
  ) {
    this.electionStream = electionStreamId(electionId);
  }

  see(e: { streamId: string; type: string; data: unknown }): void {
    if (e.streamId !== this.electionStream) return;
    if (e.type === 'ElectionCreated') this.created ??= e.data as ElectionCreated['data'];
    if (e.type === 'TrusteesAppointed') this.trustees ??= e.data as TrusteesAppointed['data'];
  }

  /** The fingerprint of the election seen (or pinned by an earlier run). */
  fingerprint(): string | undefined {
    if (!this.created) return this.pinnedBefore;
    const { electionId, authorityPublicKey, ballotPublicKey, logPublicKey, witnesses } = this.created;
    const fp = electionFingerprint({ electionId, authorityPublicKey, ballotPublicKey, logPublicKey, witnesses: witnesses ?? [], trustees: this.trustees ?? null, ballot: ballotRulesOf(this.created), weightClasses: this.created.weightClasses ?? null });
    return fp.ok ? fp.value : undefined;
  }

  /** Undefined when nothing is expected or the election matches; else the refusal (nothing is co-signed). */
  refusal(): Refusal | undefined {
    if (this.expected === undefined) return undefined;
    const fp = this.fingerprint();
    if (fp === this.expected) return undefined;
    return { code: 'ELECTION_FINGERPRINT', message: fp ? `the election's keys give fingerprint ${fp}, not the pinned ${this.expected}` : 'no ElectionCreated seen to check the pinned fingerprint against (start from a fresh state)' };
  }
}
