/**
 * qrcode's own segmentation of a text: the same graph (qrcode 1.5's segments.js, quirks included),
 * searched by a binary heap that pops in dijkstrajs's order (docs/credentials.md). Kanji mode is
 * never on in evote; if it were, the caller lets qrcode segment.
 */
import modeModule from 'qrcode/lib/core/mode.js';
import regexModule from 'qrcode/lib/core/regex.js';
import utilsModule from 'qrcode/lib/core/utils.js';
import { bestVersionForSegments, segmentBitsLength } from './qr-symbol.ts';

export interface QrMode {
  id: string;
  bit: number;
  ccBits: number[];
}
export interface QrSegmentInput {
  data: string;
  mode: QrMode;
}

interface ModeModule {
  NUMERIC: QrMode;
  ALPHANUMERIC: QrMode;
  BYTE: QrMode;
  getCharCountIndicator(mode: QrMode, version: number): number;
}

// qrcode's internals (CommonJS, no typings): the very functions QRCode.create calls.
const Mode = modeModule as ModeModule;
const Regex = regexModule as { NUMERIC: RegExp; ALPHANUMERIC: RegExp; BYTE_KANJI: RegExp };
const Utils = utilsModule as { isKanjiModeEnabled(): boolean };

interface Run {
  data: string;
  mode: QrMode;
  length: number;
}

// The three regexes are global (lastIndex state): each loop runs to its end, which resets it.
function runs(text: string, regex: RegExp, mode: QrMode, into: { index: number; run: Run }[]): void {
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) into.push({ index: m.index, run: { data: m[0], mode, length: m[0].length } });
}

/** qrcode's getSegmentsFromString (kanji disabled): the text's mode runs, in text order. */
function splitRuns(text: string): Run[] {
  const found: { index: number; run: Run }[] = [];
  runs(text, Regex.NUMERIC, Mode.NUMERIC, found);
  runs(text, Regex.ALPHANUMERIC, Mode.ALPHANUMERIC, found);
  runs(text, Regex.BYTE_KANJI, Mode.BYTE, found);
  // Array.prototype.sort is stable, as in qrcode (numeric before alphanumeric on equal indexes).
  return found.sort((a, b) => a.index - b.index).map((f) => f.run);
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');


/** qrcode's buildNodes: each run, and the wider modes it could also be written in. */
function buildNodes(segs: Run[]): Run[][] {
  return segs.map((seg) => {
    if (seg.mode === Mode.NUMERIC) {
      return [seg, { data: seg.data, mode: Mode.ALPHANUMERIC, length: seg.length }, { data: seg.data, mode: Mode.BYTE, length: seg.length }];
    }
    if (seg.mode === Mode.ALPHANUMERIC) return [seg, { data: seg.data, mode: Mode.BYTE, length: seg.length }];
    return [{ data: seg.data, mode: Mode.BYTE, length: utf8Length(seg.data) }];
  });
}

/**
 * qrcode's buildGraph as arrays: node 0 'start', the last 'end'; edges[u] lists [v, weight] in the
 * order dijkstrajs visits them.
 */
function buildGraph(layers: Run[][], version: number): { nodes: Run[]; edges: number[][] } {
  const nodes: Run[] = [{ data: '', mode: Mode.BYTE, length: 0 }]; // 'start' (never read)
  const lastCount: number[] = [0];
  const edges: number[][] = [[]];
  let prev = [0];
  for (const layer of layers) {
    const current: number[] = [];
    for (const node of layer) {
      const id = nodes.length;
      nodes.push(node);
      lastCount.push(0);
      edges.push([]);
      current.push(id);
      for (const p of prev) {
        let weight: number;
        if (p !== 0 && (nodes[p] as Run).mode === node.mode) {
          weight = segmentBitsLength((lastCount[p] as number) + node.length, node.mode) - segmentBitsLength(lastCount[p] as number, node.mode);
          lastCount[p] = (lastCount[p] as number) + node.length;
        } else {
          if (p !== 0) lastCount[p] = node.length;
          weight = segmentBitsLength(node.length, node.mode) + 4 + Mode.getCharCountIndicator(node.mode, version);
        }
        (edges[p] as number[]).push(id, weight);
      }
    }
    prev = current;
  }
  const end = nodes.length;
  nodes.push({ data: '', mode: Mode.BYTE, length: 0 });
  edges.push([]);
  for (const p of prev) (edges[p] as number[]).push(end, 0);
  return { nodes, edges };
}

/** dijkstrajs's shortest path on a heap keyed by (cost, push sequence): its pop order, so its path. */
function shortestPath(edges: number[][]): number[] {
  const end = edges.length - 1;
  const cost = new Float64Array(edges.length).fill(Infinity);
  const pred = new Int32Array(edges.length).fill(-1);
  const heapNode: number[] = [];
  const heapCost: number[] = [];
  const heapSeq: number[] = [];
  let seq = 0;
  const less = (a: number, b: number) => (heapCost[a] as number) < (heapCost[b] as number) || (heapCost[a] === heapCost[b] && (heapSeq[a] as number) < (heapSeq[b] as number));
  const swap = (a: number, b: number) => {
    [heapNode[a], heapNode[b]] = [heapNode[b] as number, heapNode[a] as number];
    [heapCost[a], heapCost[b]] = [heapCost[b] as number, heapCost[a] as number];
    [heapSeq[a], heapSeq[b]] = [heapSeq[b] as number, heapSeq[a] as number];
  };
  const push = (node: number, c: number) => {
    let i = heapNode.length;
    heapNode.push(node);
    heapCost.push(c);
    heapSeq.push(seq++);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [heapNode[0] as number, heapCost[0] as number];
    const last = heapNode.length - 1;
    swap(0, last);
    heapNode.pop();
    heapCost.pop();
    heapSeq.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heapNode.length && less(l, m)) m = l;
      if (r < heapNode.length && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
    return top;
  };
  cost[0] = 0;
  push(0, 0);
  while (heapNode.length > 0) {
    const [u, cu] = pop();
    const adjacent = edges[u] as number[];
    for (let k = 0; k < adjacent.length; k += 2) {
      const v = adjacent[k] as number;
      const c = cu + (adjacent[k + 1] as number);
      if (cost[v] === Infinity || (cost[v] as number) > c) {
        cost[v] = c;
        push(v, c);
        pred[v] = u;
      }
    }
  }
  const path: number[] = [];
  for (let u = end; u > 0; u = pred[u] as number) {
    if (u < 0) throw new Error('QR segmentation: no path'); // cannot happen: every layer links to the next
    path.push(u);
  }
  return path.reverse(); // without 'start'; ends with 'end'
}

/**
 * The segments `QRCode.create(text, { errorCorrectionLevel: 'M' })` encodes, as the array input of
 * `QRCode.create` (which then builds exactly the same symbol); undefined when kanji mode is on,
 * for the caller to let qrcode segment the text itself.
 */
export function qrcodeSegments(text: string): QrSegmentInput[] | undefined {
  if (Utils.isKanjiModeEnabled()) return undefined;
  const split = splitRuns(text);
  // As qrcode's createSymbol: the version estimated from the raw runs sizes the count fields.
  const version = bestVersionForSegments(split) || 40;
  const { nodes, edges } = buildGraph(buildNodes(split), version);
  const path = shortestPath(edges);
  // qrcode's mergeSegments: consecutive runs in one mode become one segment.
  const merged: QrSegmentInput[] = [];
  for (const id of path.slice(0, -1)) {
    const node = nodes[id] as Run;
    const last = merged.at(-1);
    if (last && last.mode === node.mode) last.data += node.data;
    else merged.push({ data: node.data, mode: node.mode });
  }
  return merged;
}
