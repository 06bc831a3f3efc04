/**
 * How close to the raw RSA private operation any per-ballot code can get through node:crypto, on
 * one thread, against the raw op measured in the same run. Four workloads run in interleaved blocks
 * of 64 ballots, so the machine's drift from second to second falls on all of them alike:
 *   raw        rsaRawPrivate(c0): the limit the tally is compared with;
 *   RSA pair   + the raw public op on the signature: the two RSA operations a ballot cannot avoid
 *              (recover r, check the authority's signature);
 *   floor      the node:crypto calls a ballot cannot do without, called directly on parts decoded
 *              beforehand, with no code of ours around them: the private op, HKDF's two HMACs,
 *              one AES-256-GCM decryption and one RSASSA-PSS verification;
 *   openBallot the tally worker's whole per-ballot function.
 * "floor" against "raw" is the ceiling of the per-worker figure on this machine: no change in our
 * own code can pass it. openBallot against "floor" is what our decoding and checks add.
 *
 * The PSS check in the floor is node's one-call verify: EMSA-PSS-VERIFY written out over the raw
 * public op costs more here (the public op plus seven one-shot SHA-384 calls, ~1 µs each), so the
 * one call is the cheaper of the two ways and the one the floor uses.
 */
import { constants, createDecipheriv, createHmac, privateDecrypt, verify, type KeyObject } from 'node:crypto';
import { GCM_TAG_BYTES } from '../src/crypto/aes-gcm.ts';
import { BALLOT_KDF_INFO, decodeBallotCiphertext, decryptBallot } from '../src/crypto/ballot-encryption.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../src/crypto/ballot-plaintext.ts';
import { RSABSSA_SALT_BYTES } from '../src/crypto/blind-rsa.ts';
import { utf8 } from '../src/crypto/bytes.ts';
import { rsaRawPrivate, rsaRawPublic } from '../src/crypto/rsa.ts';
import { openBallot, type BallotKeys } from '../src/tally/open-ballot.ts';
import { against, type BenchResult } from './harness.ts';

const BLOCK = 64;
const ZERO_SALT = new Uint8Array(32);
const FIRST_BLOCK = Uint8Array.of(1);

interface BallotParts {
  ciphertext: string;
  c0: Uint8Array;
  nonce: Uint8Array;
  sealed: Uint8Array;
  tag: Uint8Array;
  preparedMessage: Uint8Array;
  signature: Uint8Array;
}

/** Opens a ballot untimed and keeps the inputs each timed call takes. */
function partsOf(keys: BallotKeys, ciphertext: string): BallotParts {
  const decoded = decodeBallotCiphertext(ciphertext);
  const decrypted = decryptBallot(keys.counterPrivateKey, ciphertext, keys.electionId);
  if (!decoded.ok || !decrypted.ok) throw new Error('bench ballot does not open');
  const plaintext = decodeBallotPlaintext(decrypted.value.plaintext);
  if (!plaintext.ok) throw new Error(plaintext.error.message);
  if (!ballotMessageOf(plaintext.value.preparedMessage).ok) throw new Error('bench ballot has no ballot message');
  const { c0, nonce, sealed } = decoded.value;
  const split = sealed.length - GCM_TAG_BYTES;
  return { ciphertext, c0, nonce, sealed: sealed.subarray(0, split), tag: sealed.subarray(split), ...plaintext.value };
}

function floorCalls(counterPrivateKey: KeyObject, authorityPublicKey: KeyObject, info: Uint8Array, aad: Uint8Array) {
  const privateOp = { key: counterPrivateKey, padding: constants.RSA_NO_PADDING };
  const pss = { key: authorityPublicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES };
  return (p: BallotParts): void => {
    const r = privateDecrypt(privateOp, p.c0);
    const prk = createHmac('sha256', ZERO_SALT).update(r).digest();
    const key = createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest();
    const decipher = createDecipheriv('aes-256-gcm', key, p.nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(p.tag);
    decipher.update(p.sealed);
    decipher.final();
    if (!verify('sha384', p.preparedMessage, pss, p.signature)) throw new Error('bench ballot does not verify');
  };
}

export function cryptoFloor(keys: BallotKeys, ciphertexts: string[], millis = 6_000): BenchResult[] {
  const parts = ciphertexts.slice(0, BLOCK).map((c) => partsOf(keys, c));
  const raw = (p: BallotParts) => rsaRawPrivate(keys.counterPrivateKey, p.c0);
  const rsaPair = (p: BallotParts) => {
    raw(p);
    rsaRawPublic(keys.authorityPublicKey, p.signature);
  };
  const floor = floorCalls(keys.counterPrivateKey, keys.authorityPublicKey, utf8(BALLOT_KDF_INFO + keys.electionId), utf8(keys.electionId));
  const whole = (p: BallotParts) => openBallot(keys, p.ciphertext);
  const workloads = [raw, rsaPair, floor, whole];
  const spent = workloads.map(() => 0);
  let perWorkload = 0;
  const end = performance.now() + millis;
  while (performance.now() < end) {
    for (const [i, work] of workloads.entries()) {
      const t0 = performance.now();
      for (const p of parts) work(p);
      spent[i] = (spent[i] as number) + performance.now() - t0;
    }
    perWorkload += parts.length;
  }
  const [rawRate, pairRate, floorRate, wholeRate] = spent.map((ms) => perWorkload / (ms / 1000)) as [number, number, number, number];
  const rawRow: BenchResult = { name: 'raw private op, 1 thread (main), interleaved with the rows below', rate: rawRate, unit: 'ops' };
  const extra = (rate: number) => `${(1e6 / rate - 1e6 / rawRate).toFixed(1)} µs per ballot beyond the raw op`;
  return [
    rawRow,
    against({ name: 'floor part: private op + public op (the two RSA operations a ballot needs)', rate: pairRate, unit: 'ballots', note: extra(pairRate) }, rawRow),
    against({ name: "floor: private op + HKDF + AES-GCM + PSS verify, node:crypto calls alone (the per-worker ceiling)", rate: floorRate, unit: 'ballots', note: extra(floorRate) }, rawRow),
    against({ name: "openBallot (the tally worker's whole per-ballot function), same thread", rate: wholeRate, unit: 'ballots', note: extra(wholeRate) }, rawRow),
  ];
}
