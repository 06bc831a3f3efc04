/**
 * Registered before the real signing worker's listener: a batch whose first blinded message is all
 * CRASH_BYTE ends the thread (as a native crash would), all HANG_BYTE spins forever.
 */
import { parentPort } from 'node:worker_threads';
import type { SigningRequest } from '../../../src/commands/signing-protocol.ts';

export const CRASH_BYTE = 0x01;
export const HANG_BYTE = 0x02;

parentPort?.on('message', (m: SigningRequest) => {
  if (m.type !== 'sign') return;
  const first = m.blinded.subarray(0, m.blinded.length / m.count);
  if (first.every((b) => b === CRASH_BYTE)) process.exit(3);
  if (first.every((b) => b === HANG_BYTE)) for (;;);
});
