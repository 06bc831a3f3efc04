/**
 * The browser's audit (web/src/audit/: @noble primitives, the NDJSON reader, the in-place pool) gives
 * the CLI's report for a real election's export, signed by the real projection and checkpointer:
 * clean, and for tampered copies each naming the same first failure. The browser's primitives are
 * also checked against node:crypto's on the same inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { verifyLog } from '../../src/audit/verify.ts';
import type { AuditReport } from '../../src/audit/report.ts';
import { nodePrimitives } from '../../src/crypto/node-primitives.ts';
import { generateRsaKeyPair } from '../../src/crypto/rsa.ts';
import { blind, blindSign, finalize, prepare } from '../../src/crypto/blind-rsa.ts';
import { browserPrimitives } from '../../web/src/audit/browser-crypto.ts';
import { verifyStream, type VerifyProgress } from '../../web/src/audit/verify-run.ts';
import { signedElection, serialize, rehash, type Line } from '../audit/signed-election.ts';

let lines: Line[];
const copy = () => lines.map((l) => structuredClone(l));

/** The same export as bytes arriving in uneven chunks, as a fetch body or a File would give them. */
function streamOf(text: string, chunk = 4093): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

/** Everything but the timings, which differ from run to run. */
const comparable = (r: AuditReport) => ({ ...r, durationMs: 0, ballotsPerSecond: 0 });

/**
 * The CLI's report and the browser's, which must be equal but for timings. With its default leaf
 * batches the CLI hashes a log this size in one batch, as the browser does: then even the counts of
 * lines read past a failure found late (a leaf hash, a checkpoint) agree. In batches of 4 on two
 * worker threads, the CLI finds such failures sooner: the first failure and the verdict are the same.
 */
async function both(ls: Line[]): Promise<{ cli: AuditReport; browser: AuditReport; progress: VerifyProgress[] }> {
  const text = serialize(ls).join('\n') + '\n';
  const cli = await verifyLog(serialize(ls), { workers: 1 });
  const progress: VerifyProgress[] = [];
  const browser = await verifyStream(streamOf(text), { totalBytes: text.length, onProgress: (p) => progress.push(p), progressEveryMs: 0 });
  expect(comparable(browser)).toEqual(comparable(cli));
  const batched = await verifyLog(serialize(ls), { workers: 2, leafBatch: 4 });
  expect({ verdict: batched.verdict, first: batched.failures[0], gaps: batched.gaps }).toEqual({ verdict: browser.verdict, first: browser.failures[0], gaps: browser.gaps });
  return { cli, browser, progress };
}

const indexOf = (ls: Line[], pred: (l: Line) => boolean, nth = 0) => {
  const i = ls.flatMap((l, k) => (pred(l) ? [k] : []))[nth];
  if (i === undefined) throw new Error('no such line');
  return i;
};

function expectFirstFailure(r: AuditReport, l: Line, check: string): void {
  expect(r.verdict).toBe('FAILED');
  const first = r.failures[0]!;
  expect({ check: first.check, position: first.position, type: first.type, streamId: first.streamId }).toEqual({ check, position: l.position, type: l.type, streamId: l.streamId });
}

beforeAll(async () => {
  ({ lines } = await signedElection({ voters: 40, voting: 30 }));
}, 120_000);

describe('the audit on the browser platform, against the CLI audit, over a real export', () => {
  it('a clean export: PASSED, with the same counts and final checkpoint, and progress up to the last byte', async () => {
    const { browser, progress } = await both(copy());
    expect(browser.verdict).toBe('PASSED');
    expect(browser.ballotsCounted).toBeGreaterThan(30);
    expect(browser.verifiedHead?.size).toBe(browser.events);
    const last = progress.at(-1)!;
    expect(last.bytes).toBe(last.totalBytes);
    expect(last.ballotsChecked).toBe(browser.ballotsCounted);
    expect(last.lines).toBe(lines.length);
  });

  it('a ballot ciphertext changed (its leaf hash recomputed): BALLOT_HASH at that BallotCast', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'BallotCast', 3);
    const c = ls[i]!.data!.ciphertext as string;
    ls[i]!.data!.ciphertext = c.slice(0, 40) + (c[40] === 'A' ? 'B' : 'A') + c.slice(41);
    rehash(ls[i]!);
    const { browser } = await both(ls);
    expectFirstFailure(browser, ls[i]!, 'BALLOT_HASH');
  });

  it('a ballot ciphertext changed (leaf hash left): LEAF_HASH at that BallotCast', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'BallotCast', 5);
    const c = ls[i]!.data!.ciphertext as string;
    ls[i]!.data!.ciphertext = c.slice(0, 60) + (c[60] === 'A' ? 'B' : 'A') + c.slice(61);
    const { browser } = await both(ls);
    expectFirstFailure(browser, ls[i]!, 'LEAF_HASH');
  });

  it('an event dropped: LEAF_INDEX at the event after it', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'CredentialSpent', 2);
    ls.splice(i, 1);
    const next = ls.slice(i).find((l) => 'leafIndex' in l)!;
    const { browser } = await both(ls);
    expectFirstFailure(browser, next, 'LEAF_INDEX');
  });

  it('a VoteCounted changed (its choice, leaf hash recomputed): VOTE_CHOICE at that VoteCounted', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'VoteCounted' && l.data!.choice === 'yes', 1);
    ls[i]!.data!.choice = 'no';
    rehash(ls[i]!);
    const { browser } = await both(ls);
    expectFirstFailure(browser, ls[i]!, 'VOTE_CHOICE');
  });

  it('a VoteCounted whose status is changed: VOTE_STATUS at that VoteCounted', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'VoteCounted' && l.data!.status === 'VALID', 2);
    ls[i]!.data!.status = 'INVALID_SIGNATURE';
    rehash(ls[i]!);
    const { browser } = await both(ls);
    expectFirstFailure(browser, ls[i]!, 'VOTE_STATUS');
  });

  it('a checkpoint forged (another root, signed by a key that is not the election’s): CHECKPOINT_SIGNATURE or ROOT, named alike', async () => {
    const ls = copy();
    const i = indexOf(ls, (l) => l.type === 'LogCheckpointed', 1);
    const d = ls[i]!.data as Record<string, unknown>;
    const forger = generateKeyPairSync('ed25519').privateKey;
    const body = { electionId: d.electionId, size: d.size, root: d.root, lastPosition: d.lastPosition };
    d.signature = sign(null, Buffer.from(JSON.stringify(body)), forger).toString('base64url');
    const { browser } = await both(ls);
    expectFirstFailure(browser, ls[i]!, 'CHECKPOINT_SIGNATURE');

    const rooted = copy();
    (rooted[i]!.data as Record<string, unknown>).root = 'ab'.repeat(32);
    const { browser: r2 } = await both(rooted);
    expectFirstFailure(r2, rooted[i]!, 'CHECKPOINT_ROOT');
  });

  it('a log cut short: INCOMPLETE, with the same gaps', async () => {
    const ls = copy();
    const cut = ls.slice(0, indexOf(ls, (l) => l.type === 'VotingEnded') + 1);
    const { browser } = await both(cut);
    expect(browser.verdict).toBe('INCOMPLETE');
    expect(browser.gaps.map((g) => g.check)).toContain('TALLY_NOT_PUBLISHED');
  });

  it('a file that is no log at all: FAILED at line 1', async () => {
    const progress: VerifyProgress[] = [];
    const r = await verifyStream(streamOf('not json\n'), { onProgress: (p) => progress.push(p) });
    expect(r.failures[0]).toMatchObject({ check: 'BAD_LINE', line: 1, position: null });
    expect(comparable(r)).toEqual(comparable(await verifyLog(['not json'])));
  });
});

describe('the browser primitives agree with node:crypto', () => {
  it('SHA-256, leaf and node hashes, HKDF', () => {
    for (const n of [0, 1, 55, 56, 64, 1000]) {
      const data = new Uint8Array(randomBytes(n));
      expect(browserPrimitives.sha256(data)).toEqual(new Uint8Array(nodePrimitives.sha256(data)));
      const text = `é${data.length}\u{1F5F3}`;
      expect(browserPrimitives.leafHashOfText(text)).toEqual(new Uint8Array(nodePrimitives.leafHashOfText(text)));
      const a = nodePrimitives.sha256(data);
      const b = nodePrimitives.sha256(a);
      expect(browserPrimitives.nodeHash(a, b)).toEqual(new Uint8Array(nodePrimitives.nodeHash(a, b)));
      expect(browserPrimitives.hkdfSha256(data, new Uint8Array(0), a, 32)).toEqual(new Uint8Array(nodePrimitives.hkdfSha256(data, new Uint8Array(0), a, 32)));
    }
  });

  it('RSA: the SPKI import, x^e mod n, and RSA-PSS-SHA384 verification of a blind signature (and a tampered one)', () => {
    const { publicKey, privateKey } = generateRsaKeyPair(2048);
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const bk = browserPrimitives.rsaPublicKey(spki);
    const nk = nodePrimitives.rsaPublicKey(spki);
    expect(browserPrimitives.rsaPublicNumbers(bk)).toEqual(nodePrimitives.rsaPublicNumbers(nk));
    const x = new Uint8Array(256);
    x.set(randomBytes(200), 56);
    expect(browserPrimitives.rsaRawPublic(bk, x)).toEqual(new Uint8Array(nodePrimitives.rsaRawPublic(nk, x)));
    const prepared = prepare(new TextEncoder().encode('a ballot message'));
    const b = blind(publicKey, prepared);
    if (!b.ok) throw new Error('blind failed');
    const blindSig = blindSign(privateKey, b.value.blindedMessage);
    if (!blindSig.ok) throw new Error('blind sign failed');
    const sig = finalize(publicKey, prepared, blindSig.value, b.value.inv);
    if (!sig.ok) throw new Error('finalize failed');
    expect(browserPrimitives.rsaPssSha384Verify(bk, prepared, sig.value)).toBe(true);
    expect(nodePrimitives.rsaPssSha384Verify(nk, prepared, sig.value)).toBe(true);
    const bad = sig.value.slice();
    bad[100]! ^= 1;
    expect(browserPrimitives.rsaPssSha384Verify(bk, prepared, bad)).toBe(false);
    expect(browserPrimitives.rsaPssSha384Verify(bk, prepared.subarray(1), sig.value)).toBe(false);
    const ed = new Uint8Array(generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }));
    expect(() => browserPrimitives.rsaPublicKey(ed)).toThrow();
    expect(() => nodePrimitives.rsaPublicKey(ed)).toThrow();
  });

  it('Ed25519 and AES-256-GCM', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
    const msg = new Uint8Array(randomBytes(77));
    const sig = new Uint8Array(sign(null, msg, privateKey));
    const bk = browserPrimitives.ed25519PublicKey(raw)!;
    expect(browserPrimitives.ed25519Verify(bk, msg, sig)).toBe(true);
    sig[3]! ^= 1;
    expect(browserPrimitives.ed25519Verify(bk, msg, sig)).toBe(false);
    expect(browserPrimitives.ed25519Verify(browserPrimitives.ed25519PublicKey(new Uint8Array(32).fill(0xff))!, msg, sig)).toBe(false);

    const key = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(randomBytes(12));
    const aad = new TextEncoder().encode('election');
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    const ct = new Uint8Array(Buffer.concat([c.update(msg), c.final()]));
    const tag = new Uint8Array(c.getAuthTag());
    expect(browserPrimitives.aes256GcmDecrypt(key, nonce, ct, tag, aad)).toEqual({ ok: true, value: msg });
    tag[0]! ^= 1;
    expect(browserPrimitives.aes256GcmDecrypt(key, nonce, ct, tag, aad)).toMatchObject({ ok: false, error: { code: 'DECRYPTION_FAILED' } });
    expect(nodePrimitives.aes256GcmDecrypt(key, nonce, ct, tag, aad)).toMatchObject({ ok: false, error: { code: 'DECRYPTION_FAILED' } });
  });
});
