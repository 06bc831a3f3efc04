// Reads a transcribed test-vector file from test/crypto/vectors (JSON, hex strings).
import { readFileSync } from 'node:fs';

export function loadVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(new URL(`./vectors/${fileName}`, import.meta.url), 'utf8')) as T;
}
