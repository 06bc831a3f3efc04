/**
 * What keeps an idle server's memory down (docs/operations.md, "Memory"): a collection that gives
 * V8's pages back, glibc's malloc_trim giving back freed arena memory, and the idle check that runs
 * both once the event loop has nothing to do.
 */
import { describe, it, expect } from 'vitest';
import v8 from 'node:v8';
import { collectAllGarbage, startIdleReclaim } from '../../src/runtime/idle-reclaim.ts';
import { mallocTrim } from '../../src/runtime/malloc-trim.ts';

const MB = 2 ** 20;
const heapTotal = () => v8.getHeapStatistics().total_heap_size;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ~40 MB of short-lived objects, every tenth kept so pages stay fragmented until a full collection. */
function churn(): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < 400_000; i++) {
    const o = { i, s: `value ${i}`, a: [i, i + 1] };
    if (i % 10 === 0) kept.push(o);
  }
  return kept;
}

describe('collectAllGarbage', () => {
  it('gives back the heap pages garbage held', async () => {
    const kept = churn();
    const before = heapTotal();
    expect(await collectAllGarbage()).toBe(true);
    expect(kept.length).toBe(40_000);
    expect(heapTotal()).toBeLessThan(before);
  });
});

describe('mallocTrim', () => {
  it('is there on this Linux/glibc machine (koffi installed) and returns freed arena memory to the kernel', async () => {
    const trim = mallocTrim();
    expect(trim).toBeDefined();
    // 64 KiB buffers sit under glibc's mmap threshold: malloc'd in an arena. Keeping every tenth
    // leaves the freed ones in the middle of the arena, where free() keeps them.
    const kept: Buffer[] = [];
    for (let i = 0; i < 2_000; i++) {
      const b = Buffer.alloc(64 * 1024, 1);
      if (i % 10 === 0) kept.push(b);
    }
    await collectAllGarbage();
    // free() alone gives back next to nothing of the ~115 MB: the control for the trim below.
    const before = process.memoryUsage.rss();
    await sleep(100);
    const freedAlone = (before - process.memoryUsage.rss()) / MB;
    const untrimmed = process.memoryUsage.rss();
    expect(trim!()).toBe(true);
    const freed = (untrimmed - process.memoryUsage.rss()) / MB;
    expect(kept.length).toBe(200);
    expect(freedAlone).toBeLessThan(5);
    expect(freed).toBeGreaterThan(20);
  });
});

describe('startIdleReclaim', () => {
  it('reclaims once the event loop is idle after growth, and not again while nothing grows', async () => {
    const reclaim = startIdleReclaim({ everyMs: 200, idleUtilization: 0.5 });
    try {
      // The first idle interval after start reclaims what start-up left.
      for (let i = 0; i < 50 && reclaim.reclaims < 1; i++) await sleep(100);
      expect(reclaim.reclaims).toBe(1);
      const kept = churn();
      for (let i = 0; i < 50 && reclaim.reclaims < 2; i++) await sleep(100);
      expect(reclaim.reclaims).toBe(2);
      expect(kept.length).toBe(40_000);
      await sleep(1_000);
      expect(reclaim.reclaims).toBe(2);
    } finally {
      reclaim.stop();
    }
  });
});
