/**
 * Share of comment lines per folder of src/: `npx tsx scripts/comment-ratio.ts [dir]`.
 * A comment line is a non-blank line that starts with `//` or `/*`, or lies inside a block comment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Non-blank and comment line counts of one source text. */
export function countLines(text: string): { lines: number; comments: number } {
  let lines = 0;
  let comments = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    lines++;
    if (inBlock) {
      comments++;
      if (line.includes('*/')) inBlock = false;
    } else if (line.startsWith('//')) {
      comments++;
    } else if (line.startsWith('/*')) {
      comments++;
      inBlock = !line.includes('*/', 2);
    }
  }
  return { lines, comments };
}

const root = path.resolve(process.argv[2] ?? 'src');
const byFolder = new Map<string, { lines: number; comments: number }>();
for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name)) continue;
  const file = path.join(entry.parentPath, entry.name);
  const rel = path.relative(root, file);
  const folder = rel.includes(path.sep) ? rel.split(path.sep)[0]! : rel;
  const counts = countLines(readFileSync(file, 'utf8'));
  const sum = byFolder.get(folder) ?? { lines: 0, comments: 0 };
  sum.lines += counts.lines;
  sum.comments += counts.comments;
  byFolder.set(folder, sum);
}

const pct = (c: number, l: number): string => `${((100 * c) / Math.max(l, 1)).toFixed(1)} %`;
let lines = 0;
let comments = 0;
for (const [folder, sum] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
  lines += sum.lines;
  comments += sum.comments;
  console.log(`${folder.padEnd(16)} ${String(sum.comments).padStart(5)} / ${String(sum.lines).padStart(6)}  ${pct(sum.comments, sum.lines)}`);
}
console.log(`${'total'.padEnd(16)} ${String(comments).padStart(5)} / ${String(lines).padStart(6)}  ${pct(comments, lines)}`);
