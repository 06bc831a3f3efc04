/**
 * Worker side of x25519-key-stock.ts: makes ephemeral X25519 key pairs in batches. The private
 * keys travel back as KeyObjects (cloned by postMessage, never exported as bytes).
 */
import { parentPort } from 'node:worker_threads';
import { generateX25519KeyPair, type X25519KeyPair } from '../crypto/x25519.ts';

parentPort?.on('message', (count: number) => {
  const pairs: X25519KeyPair[] = [];
  for (let i = 0; i < count; i++) pairs.push(generateX25519KeyPair());
  parentPort?.postMessage(pairs);
});
