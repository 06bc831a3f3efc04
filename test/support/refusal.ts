import type { EvoteError } from '../../src/client/errors.ts';

/** The error code a request was refused with, or 'accepted'. */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as EvoteError).code;
  }
  return 'accepted';
}
