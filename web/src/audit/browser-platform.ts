/**
 * The audit's platform in a browser: @noble primitives (browser-crypto.ts) and a "pool" that does the
 * leaf hashing and ballot opening in the calling thread, which is already the verification's Web
 * Worker, so the page stays responsive. The checks themselves are src/audit/verify-core.ts's.
 */
import { importElectionKeys, openBallot, type OpeningKeys } from '../../../src/audit/ballot-opening.ts';
import { hashLeafBatch } from '../../../src/audit/leaf-batch.ts';
import type { AuditPlatform, AuditPool } from '../../../src/audit/verify-core.ts';
import type { CryptoPrimitives } from '../../../src/crypto/primitives.ts';
import { browserPrimitives } from './browser-crypto.ts';

/** AuditPool's contract, done in place: each call's work is done before its promise is returned. */
export function inlinePool(crypto: CryptoPrimitives): AuditPool {
  let keys: { electionId: string; opening: OpeningKeys } | undefined;
  return {
    setKeys(k) {
      keys = { electionId: k.electionId, opening: importElectionKeys(crypto, k) };
    },
    open(jobs) {
      const k = keys;
      if (!k) return Promise.reject(new Error('ballots to open before the election keys'));
      try {
        return Promise.resolve(jobs.map((j) => openBallot(k.opening, k.electionId, j)));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    hashLeaves(lines, aligned) {
      try {
        return Promise.resolve(hashLeafBatch(crypto, lines, aligned));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    close: () => Promise.resolve(),
  };
}

/** `crypto`: the browser's by default; a Node test passes the same to compare with the CLI. */
export function browserAuditPlatform(crypto: CryptoPrimitives = browserPrimitives): AuditPlatform {
  return { crypto, createPool: () => inlinePool(crypto), parallelism: () => 1 };
}
