/** The audit report; the object itself is the JSON form (`evote audit --json`), `formatReport` the human one. */
import type { VoteStatus } from '../domain/tally-events.ts';
import { formatFingerprint } from '../crypto/election-fingerprint-core.ts';

/** PASSED, FAILED, INCOMPLETE (nothing broke, not the whole election), or PARTIAL (the same, for a live audit). */
export type AuditVerdict = 'PASSED' | 'FAILED' | 'INCOMPLETE' | 'PARTIAL';

/** The `evote audit` exit code of each verdict that is not success; part of the CLI's contract. */
export const AUDIT_EXIT = {
  /** The log does not verify. */
  FAILED: 5,
  /** The log verifies as far as it goes, but it is not the whole election (cut short, unsigned tail, no tally). */
  INCOMPLETE: 6,
} as const;

/** 0 for PASSED, and for PARTIAL (asked for with --live); else AUDIT_EXIT's code. */
export function auditExitCode(verdict: AuditVerdict): number {
  if (verdict === 'FAILED') return AUDIT_EXIT.FAILED;
  return verdict === 'INCOMPLETE' ? AUDIT_EXIT.INCOMPLETE : 0;
}

export interface AuditFailure {
  /** Stable code of the check, e.g. LEAF_HASH, CHECKPOINT_SIGNATURE, VOTE_STATUS. */
  check: string;
  message: string;
  /** The offending event (null for a line that is not an event at all, e.g. a bad header). */
  position: number | null;
  streamId: string | null;
  type: string | null;
  leafIndex?: number;
  /** ROUND_MISMATCH / ROUND_MISSING / ROUND_EXTRA: the round named. */
  round?: number;
  /** 1-based line of the export, when reading lines. */
  line?: number;
}

export interface AuditReport {
  verdict: AuditVerdict;
  /** verdict === 'PASSED'. */
  ok: boolean;
  electionId: string | null;
  /** Of ElectionCreated's id and keys (64 hex digits), null before it. */
  fingerprint: string | null;
  /** Leaves (election events) read and checked. */
  events: number;
  checkpoints: number;
  voters: number;
  blindSignatures: number;
  ballotsCast: number;
  /** CredentialSpent before VotingEnded: equals the BallotCast before it (repeats included) once voting closed. */
  credentialsSpent: number;
  lateBallots: number;
  ballotsCounted: number;
  counts: Record<string, number>;
  statuses: Partial<Record<VoteStatus, number>>;
  tallyPublished: boolean;
  /** An election counted by its method: the published method, winners and number of rounds (compared with the recount unless a failure says otherwise). */
  elected?: { method: string; winners: string[]; rounds: number };
  /** Root of the last checkpoint that verified (hex), and its size. */
  verifiedHead: { size: number; root: string } | null;
  /** With a witness policy: the co-signatures required and the trusted witnesses that co-signed the final checkpoint. */
  witnesses?: { required: number; cosignedFinal: string[] };
  failures: AuditFailure[];
  /** Why the log is not complete (ELECTION_NOT_CREATED, TALLY_NOT_PUBLISHED, UNSIGNED_TAIL), each naming where; empty when FAILED. */
  gaps: AuditFailure[];
  warnings: string[];
  durationMs: number;
  ballotsPerSecond: number;
}

export interface AuditProgress {
  events: number;
  ballotsQueued: number;
  ballotsChecked: number;
}

function where(f: AuditFailure): string {
  if (f.position === null) return f.line !== undefined ? `line ${f.line}` : 'the log';
  return `position ${f.position} (${f.streamId}, ${f.type}${f.leafIndex !== undefined ? `, leaf ${f.leafIndex}` : ''})`;
}

export function formatReport(r: AuditReport): string {
  const lines = [
    `election ${r.electionId ?? '?'}: AUDIT ${r.verdict}${r.verdict === 'PARTIAL' ? ' (live: verified as far as the log goes)' : ''}`,
    `  fingerprint ${r.fingerprint ? formatFingerprint(r.fingerprint) : '- (no ElectionCreated)'}`,
    `  events ${r.events}, checkpoints ${r.checkpoints}, voters ${r.voters}, blind signatures ${r.blindSignatures}`,
    `  ballots cast ${r.ballotsCast} (+${r.lateBallots} after voting ended), counted ${r.ballotsCounted}, credentials spent ${r.credentialsSpent}`,
  ];
  if (r.verifiedHead) lines.push(`  last verified checkpoint: size ${r.verifiedHead.size}, root ${r.verifiedHead.root}`);
  if (r.witnesses) lines.push(`  witnesses: ${r.witnesses.cosignedFinal.length} of ${r.witnesses.required} required co-signed the final checkpoint${r.witnesses.cosignedFinal.length ? ` (${r.witnesses.cosignedFinal.join(', ')})` : ''}`);
  if (r.tallyPublished && r.elected) lines.push(`  tally: counted by ${r.elected.method} in ${r.elected.rounds} round(s), elected: ${r.elected.winners.join(', ')}`);
  else if (r.tallyPublished) lines.push(`  tally: ${Object.entries(r.counts).map(([c, n]) => `${c}=${n}`).join(', ')}`);
  lines.push(`  ${r.durationMs} ms, ${Math.round(r.ballotsPerSecond)} ballots/s`);
  const first = r.failures[0];
  if (first) lines.push(`  FIRST FAILURE at ${where(first)}: [${first.check}] ${first.message}`);
  for (const f of r.failures.slice(1)) lines.push(`  also at ${where(f)}: [${f.check}] ${f.message}`);
  for (const g of r.gaps) lines.push(`  ${r.verdict === 'PARTIAL' ? 'not yet' : 'MISSING'} at ${where(g)}: [${g.check}] ${g.message}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
