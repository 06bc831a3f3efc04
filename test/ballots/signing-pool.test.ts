/**
 * The blind-signing worker pool on real worker threads: RFC 9474's vector through the worker path,
 * 300 signatures in flight each answering its own request (checked by unblinding and verifying,
 * with blindrsa-ts as the oracle), batching, lazy start and idle end, a crashed or stuck worker →
 * SERVICE_UNAVAILABLE and the next signature works, close, and no key material in the log lines.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { webcrypto, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { blind, finalize, prepare, verify } from '../../src/crypto/blind-rsa.ts';
import { fromHex, toBase64url, toHex } from '../../src/crypto/bytes.ts';
import { generateRsaKeyPair, rsaPrivateKeyFromPrimes, rsaPublicKeyOf, type RsaKeyPair } from '../../src/crypto/rsa.ts';
import { createSigningPool, SigningError, type SigningPool, type SigningPoolOptions } from '../../src/commands/signing-pool.ts';
import { isServiceUnavailable } from '../../src/runtime/service-unavailable.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { until } from '../support/system.ts';
import { loadVectors } from '../crypto/load-vectors.ts';
import { CRASH_BYTE, HANG_BYTE } from './support/fault-switch.ts';

interface Rfc9474Vector {
  p: string; q: string; d: string; e: string; msg: string; msg_prefix: string; prepared_msg: string;
  salt: string; inv: string; blinded_msg: string; blind_sig: string; sig: string;
}
const v = loadVectors<Rfc9474Vector>('rfc9474-rsabssa-sha384-pss-randomized.json');
const big = (hex: string): bigint => BigInt('0x' + hex);
const oracle = RSABSSA.SHA384.PSS.Randomized();
const faultyWorker = new URL('./support/faulty-signing-worker.ts', import.meta.url);

const pkcs8Of = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
const keys: RsaKeyPair = generateRsaKeyPair(2048);
const pools: SigningPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(opts: Partial<SigningPoolOptions> = {}): SigningPool {
  const p = createSigningPool({ loadKey: async () => pkcs8Of(keys.privateKey), ...opts });
  pools.push(p);
  return p;
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}`);
  return result.value;
}

const toCryptoKey = (key: KeyObject) => webcrypto.subtle.importKey('jwk', rsaPublicKeyOf(key).export({ format: 'jwk' }), { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);

/** A voter device's work: a prepared message and its blinding under the test key. */
function voterMessage(text: string) {
  const prepared = prepare(new TextEncoder().encode(text));
  return { prepared, ...unwrap(blind(keys.publicKey, prepared)) };
}

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (err: unknown) => (isServiceUnavailable(err) ? `${err.code}:${err.service}` : err instanceof SigningError ? err.code : `thrown: ${(err as Error).message}`),
  );

describe('the signing pool', () => {
  it("reproduces RFC 9474's blind signature through a worker, and the finished signature verifies with blindrsa-ts", async () => {
    const privateKey = rsaPrivateKeyFromPrimes(big(v.p), big(v.q), big(v.e), big(v.d));
    const p = pool({ loadKey: async (electionId) => (electionId === 'rfc9474' ? pkcs8Of(privateKey) : Promise.reject(new Error('no key'))) });
    const blindSignature = await p.sign('rfc9474', fromHex(v.blinded_msg));
    expect(toHex(blindSignature)).toBe(v.blind_sig);
    const signature = unwrap(finalize(rsaPublicKeyOf(privateKey), fromHex(v.prepared_msg), blindSignature, fromHex(v.inv)));
    expect(toHex(signature)).toBe(v.sig);
    expect(await oracle.verify(await toCryptoKey(privateKey), signature, fromHex(v.prepared_msg))).toBe(true);
  });

  it('answers 300 signatures in flight, each for its own request, in batches, with workers started only when needed', async () => {
    const p = pool({ size: 2 });
    expect(p.stats().workers).toBe(0);
    const messages = Array.from({ length: 300 }, (_, i) => voterMessage(`ballot ${i}`));
    const blindSignatures = await Promise.all(messages.map((m) => p.sign('e1', m.blindedMessage)));
    const publicCryptoKey = await toCryptoKey(keys.publicKey);
    for (const [i, m] of messages.entries()) {
      // Unblinding with this request's inverse verifies only if the reply was signed over this request's message.
      const signature = unwrap(finalize(keys.publicKey, m.prepared, blindSignatures[i]!, m.inv));
      expect(verify(keys.publicKey, m.prepared, signature)).toBe(true);
      if (i % 30 === 0) expect(await oracle.verify(publicCryptoKey, signature, m.prepared)).toBe(true);
    }
    const stats = p.stats();
    expect(stats.workers).toBe(2);
    expect(stats.signatures).toBe(300);
    expect(stats.batches).toBeLessThan(300 / 4);
  });

  it('keeps elections apart: each is signed with its own key, loaded once per worker', async () => {
    const other = generateRsaKeyPair(2048);
    const loads: string[] = [];
    const p = pool({
      size: 1,
      loadKey: async (electionId) => {
        loads.push(electionId);
        return pkcs8Of(electionId === 'a' ? keys.privateKey : other.privateKey);
      },
    });
    const a = Array.from({ length: 20 }, (_, i) => voterMessage(`a ${i}`));
    const prepared = prepare(new TextEncoder().encode('b'));
    const b = unwrap(blind(other.publicKey, prepared));
    const [signedA, signedB] = await Promise.all([Promise.all(a.map((m) => p.sign('a', m.blindedMessage))), p.sign('b', b.blindedMessage)]);
    a.forEach((m, i) => expect(finalize(keys.publicKey, m.prepared, signedA[i]!, m.inv).ok).toBe(true));
    expect(finalize(other.publicKey, prepared, signedB, b.inv).ok).toBe(true);
    expect(loads.sort()).toEqual(['a', 'b']);
  });

  it('fails a request whose worker crashed with SERVICE_UNAVAILABLE (signing), and signs the next one on a new worker', async () => {
    const p = pool({ size: 1, workerEntry: faultyWorker });
    const before = voterMessage('before');
    await p.sign('e1', before.blindedMessage);
    expect(await codeOf(p.sign('e1', new Uint8Array(256).fill(CRASH_BYTE)))).toBe('SERVICE_UNAVAILABLE:signing');
    expect(p.stats().failedWorkers).toBe(1);
    const after = voterMessage('after');
    const signed = await p.sign('e1', after.blindedMessage);
    expect(finalize(keys.publicKey, after.prepared, signed, after.inv).ok).toBe(true);
  });

  it('fails every request of a batch on the crashed worker, none hangs, and queued ones are signed after', async () => {
    const p = pool({ size: 1, maxBatch: 4, workerEntry: faultyWorker });
    const crash = p.sign('e1', new Uint8Array(256).fill(CRASH_BYTE));
    const rest = Array.from({ length: 12 }, (_, i) => voterMessage(`queued ${i}`));
    const outcomes = await Promise.all([codeOf(crash), ...rest.map((m) => codeOf(p.sign('e1', m.blindedMessage)))]);
    expect(outcomes[0]).toBe('SERVICE_UNAVAILABLE:signing');
    // The crashed worker held at most two batches (the crash's and one more); everything else was signed by its replacement.
    const failed = outcomes.filter((o) => o !== 'ok');
    expect(new Set(failed)).toEqual(new Set(['SERVICE_UNAVAILABLE:signing']));
    expect(failed.length).toBeLessThanOrEqual(1 + 4);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(12 - 4);
  });

  it('ends a stuck worker after stuckMs: its request fails with SERVICE_UNAVAILABLE and the next is signed', async () => {
    const p = pool({ size: 1, stuckMs: 2_000, workerEntry: faultyWorker });
    expect(await codeOf(p.sign('e1', new Uint8Array(256).fill(HANG_BYTE)))).toBe('SERVICE_UNAVAILABLE:signing');
    const next = voterMessage('next');
    expect(finalize(keys.publicKey, next.prepared, await p.sign('e1', next.blindedMessage), next.inv).ok).toBe(true);
  });

  it('ends idle workers and starts one again on the next signature', async () => {
    const p = pool({ size: 2, idleMs: 150 });
    await p.sign('e1', voterMessage('one').blindedMessage);
    expect(p.stats().workers).toBe(1);
    await until(() => p.stats().workers === 0, 5_000);
    const again = voterMessage('again');
    expect(finalize(keys.publicKey, again.prepared, await p.sign('e1', again.blindedMessage), again.inv).ok).toBe(true);
  });

  it('reports a key that is missing or does not import as an error, never a hang', async () => {
    const p = pool({ loadKey: async (electionId) => (electionId === 'garbled' ? new Uint8Array(64).fill(7) : Promise.reject(new Error('no authority key for election missing'))) });
    expect(await codeOf(p.sign('missing', voterMessage('m').blindedMessage))).toBe('thrown: no authority key for election missing');
    expect(await codeOf(p.sign('garbled', voterMessage('g').blindedMessage))).toBe('KEY_UNUSABLE');
  });

  it('after close, waiting and new requests fail with SERVICE_UNAVAILABLE', async () => {
    const p = pool({ size: 1, maxBatch: 1 });
    const waiting = Array.from({ length: 6 }, (_, i) => codeOf(p.sign('e1', voterMessage(`w ${i}`).blindedMessage)));
    await p.close();
    const outcomes = await Promise.all(waiting);
    expect(new Set(outcomes)).toEqual(new Set(['SERVICE_UNAVAILABLE:signing']));
    expect(await codeOf(p.sign('e1', voterMessage('late').blindedMessage))).toBe('SERVICE_UNAVAILABLE:signing');
    expect(p.stats().workers).toBe(0);
  });

  it('writes no key material in its log lines, crash and stuck worker included', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
    const p = pool({ size: 1, stuckMs: 2_000, workerEntry: faultyWorker, log });
    await p.sign('e1', voterMessage('x').blindedMessage);
    await codeOf(p.sign('e1', new Uint8Array(256).fill(CRASH_BYTE)));
    await codeOf(p.sign('e1', new Uint8Array(256).fill(HANG_BYTE)));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const jwk = keys.privateKey.export({ format: 'jwk' });
    const der = Buffer.from(pkcs8Of(keys.privateKey));
    const forms = [der.toString('hex'), der.toString('base64'), toBase64url(der), ...[jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq].flatMap((x) => [x!, Buffer.from(x!, 'base64url').toString('hex')])];
    const text = lines.join('\n').toLowerCase();
    // Any 32-character piece of a secret form would be a leak.
    const pieces = forms.flatMap((f) => Array.from({ length: Math.floor(f.length / 32) }, (_, i) => f.slice(i * 32, i * 32 + 32).toLowerCase()));
    expect(pieces.filter((piece) => text.includes(piece))).toEqual([]);
  });
});
