/**
 * Child-process load generator for bench/signing.ts: the voters' devices. Everything a device does
 * before asking for a signature (logins, blinding) happens before the timed part, so the window
 * holds only `ballot.blindSign` round trips. Protocol over the IPC channel:
 *   parent → { input }   child logs every voter in and blinds their ballots → 'loggedIn'
 *   parent → 'warm'      child signs the warm-up voters (the server's workers start) → 'ready'
 *   parent → 'go'        child signs the rest, `connections` closed loops → { report }, exits
 * After the window a sample of the signatures is unblinded and verified: a fast wrong answer fails the bench.
 */
import { EvoteConnection } from '../src/client/connection.ts';
import { loginVoter, type ClientApp, type VoterCredential } from '../src/client/client-login.ts';
import { finishBallot, prepareBallot, type PreparedBallot } from '../src/client/voter-ballot.ts';
import { verify } from '../src/crypto/blind-rsa.ts';
import { importPublicKey } from '../src/client/voter-ballot.ts';
import { spread } from './election-setup.ts';

export interface SigningLoadInput {
  url: string;
  electionId: string;
  /** base64url SPKI, as ElectionCreated carries it. */
  authorityPublicKey: string;
  ballotPublicKey: string;
  creds: VoterCredential[];
  client: ClientApp;
  /** The first `warmup` voters sign before the window; the rest inside it. */
  warmup: number;
  connections: number;
}

export interface SigningLoadReport {
  signatures: number;
  seconds: number;
  failures: number;
  /** The first failure's error code, if any. */
  firstFailure?: string;
  /** CPU time (user + system) of this process over the timed part. */
  cpuMs: number;
  verified: number;
}

type FromParent = { input: SigningLoadInput } | 'warm' | 'go';
export type FromSigningLoad = 'loggedIn' | 'ready' | { report: SigningLoadReport } | { error: string };

const send = (m: FromSigningLoad) => process.send?.(m);
let input: SigningLoadInput;
let tokens: string[] = [];
let ballots: PreparedBallot[] = [];
let conns: EvoteConnection[] = [];

async function prepare(given: SigningLoadInput): Promise<void> {
  input = given;
  const pk = importPublicKey(input.authorityPublicKey);
  tokens = new Array<string>(input.creds.length);
  // One connection per login, as a voter's device has (a connection may begin only a few logins).
  await spread(input.creds.length, 50, async (i) => {
    const conn = await EvoteConnection.connect(input.url);
    try {
      tokens[i] = (await loginVoter(conn, input.creds[i]!, input.client)).accessToken;
    } finally {
      await conn.close();
    }
  });
  ballots = input.creds.map(() => prepareBallot({ electionId: input.electionId, choice: 'A', n2Commitment: '0'.repeat(64), authorityPublicKey: pk }));
  conns = await Promise.all(Array.from({ length: input.connections }, () => EvoteConnection.connect(input.url)));
}

/** Signs voters [from, to) over every connection; the replies by voter index. */
async function signRange(from: number, to: number, replies: (string | undefined)[]): Promise<{ failures: number; firstFailure?: string }> {
  let next = from;
  let failures = 0;
  let firstFailure: string | undefined;
  await Promise.all(
    conns.map(async (c) => {
      for (let i = next++; i < to; i = next++) {
        try {
          const r = await c.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId: input.electionId, blindedMessage: ballots[i]!.blindedMessage }, { token: tokens[i] });
          replies[i] = r.blindSignature;
        } catch (err) {
          failures++;
          firstFailure ??= (err as { code?: string }).code ?? (err as Error).message;
        }
      }
    }),
  );
  return { failures, firstFailure };
}

process.on('message', (m: FromParent) => {
  const replies: (string | undefined)[] = [];
  const run = async (): Promise<FromSigningLoad> => {
    if (typeof m === 'object') {
      await prepare(m.input);
      return 'loggedIn';
    }
    if (m === 'warm') {
      const { failures, firstFailure } = await signRange(0, input.warmup, replies);
      if (failures > 0) throw new Error(`${failures} warm-up signatures failed (${firstFailure})`);
      return 'ready';
    }
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const { failures, firstFailure } = await signRange(input.warmup, input.creds.length, replies);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await Promise.all(conns.map((c) => c.close()));
    let verified = 0;
    for (let i = input.warmup; i < input.creds.length; i += 25) {
      const blindSignature = replies[i];
      if (!blindSignature) continue;
      const b = ballots[i]!;
      const done = finishBallot({ ...b, blindSignature, authorityPublicKey: input.authorityPublicKey, ballotPublicKey: input.ballotPublicKey, electionId: input.electionId });
      if (!verify(importPublicKey(input.authorityPublicKey), b.prepared, done.signature)) throw new Error(`the signature for voter ${i} does not verify`);
      verified++;
    }
    return { report: { signatures: input.creds.length - input.warmup - failures, seconds, failures, firstFailure, cpuMs: (cpu.user + cpu.system) / 1000, verified } };
  };
  run().then(
    (reply) => {
      send(reply);
      if (typeof reply === 'object') process.disconnect();
    },
    (err: unknown) => {
      send({ error: (err as Error).message });
      process.exitCode = 1;
      process.disconnect();
    },
  );
});
