/**
 * The booth bundle's hash (docs/web.md, "Trusting the booth"), as web/build.js defines it: SHA-256
 * over each booth file's path and SHA-256, the files being vote.html and what it references. Computed
 * from a local build, or from the bytes a server actually serves.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface BoothFile {
  path: string;
  sha256: string;
}

export interface BoothHash {
  sha256: string;
  files: BoothFile[];
}

export class BoothHashError extends Error {
  constructor(
    readonly code: 'BOOTH_NOT_BUILT' | 'BOOTH_FETCH_FAILED' | 'BOOTH_HASH_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'BoothHashError';
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The booth's files as vote.html references them (script, stylesheet, worker), vote.html first. */
export function boothFilesOf(voteHtml: string): string[] {
  const refs = [...voteHtml.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
  return ['vote.html', ...new Set(refs)].sort();
}

export function boothHashOf(files: readonly BoothFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex');
}

/** The hash from a reader of the booth's files by path: vote.html, then each file it references. */
export async function boothHashFrom(read: (file: string) => Promise<Uint8Array>): Promise<BoothHash> {
  const html = await read('vote.html');
  const files: BoothFile[] = [];
  for (const p of boothFilesOf(Buffer.from(html).toString('utf8'))) files.push({ path: p, sha256: sha256(p === 'vote.html' ? html : await read(p)) });
  return { sha256: boothHashOf(files), files };
}

/** The sha256 booth.json recorded at build time, or null when it is missing or malformed. */
export function recordedBoothHash(boothJson: string | undefined): string | null {
  if (boothJson === undefined) return null;
  try {
    return ((JSON.parse(boothJson) as { sha256?: unknown }).sha256 as string | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Recomputed from a built web root's files; `recorded` is what the build wrote in booth.json. */
export async function localBoothHash(webRoot: string): Promise<BoothHash & { recorded: string | null }> {
  const booth = await boothHashFrom((p) =>
    readFile(path.join(webRoot, p)).catch(() => {
      throw p === 'vote.html'
        ? new BoothHashError('BOOTH_NOT_BUILT', `no built booth in ${webRoot} (run \`npm run build\`)`)
        : new BoothHashError('BOOTH_NOT_BUILT', `the build in ${webRoot} lacks ${p}, which vote.html references`);
    }),
  );
  const recorded = recordedBoothHash(await readFile(path.join(webRoot, 'booth.json'), 'utf8').catch(() => undefined));
  return { ...booth, recorded };
}

/** http(s)://host:port from a server URL given as http(s) or ws(s), any path dropped. */
export function httpOrigin(url: string): string {
  const u = new URL(url);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  else if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BoothHashError('BOOTH_FETCH_FAILED', `not an http(s) or ws(s) URL: ${u.protocol}`);
  return u.origin;
}

/** Downloads /vote and every file it references, and hashes the bytes received. */
export async function servedBoothHash(serverUrl: string, opts: { timeoutMs?: number } = {}): Promise<BoothHash & { origin: string }> {
  const origin = httpOrigin(serverUrl);
  const get = async (p: string): Promise<Buffer> => {
    let res: Response;
    try {
      res = await fetch(`${origin}${p}`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000), redirect: 'error' });
    } catch (err) {
      throw new BoothHashError('BOOTH_FETCH_FAILED', `GET ${p}: ${(err as Error).message}`);
    }
    if (!res.ok) throw new BoothHashError('BOOTH_FETCH_FAILED', `GET ${p}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  return { ...(await boothHashFrom((p) => get(p === 'vote.html' ? '/vote' : `/${p}`))), origin };
}
