/** A witness's memory, one JSON file renamed into place: per election, the last checkpoint it co-signed. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { WitnessedLog } from './witness-core.ts';

export interface WitnessStateFile {
  format: 'evote-witness-state/v1';
  logs: Record<string, WitnessedLog>;
}

export async function loadWitnessState(path: string): Promise<WitnessStateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 'evote-witness-state/v1', logs: {} };
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<WitnessStateFile>;
  if (parsed.format !== 'evote-witness-state/v1' || typeof parsed.logs !== 'object' || parsed.logs === null) throw new SyntaxError(`${path} is not an evote witness state`);
  return parsed as WitnessStateFile;
}

export async function saveWitnessState(path: string, state: WitnessStateFile): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}
