/**
 * Child process of bench/flood.ts: one client that floods the gateway with large and malformed
 * frames, each built to cost the server as much as its kind allows. Bounded in frames and time,
 * 127.0.0.1 only; at most WINDOW frames unanswered, so the server stays busy without the flood
 * queueing in memory. Protocol over IPC: parent → {url, ms, maxFrames}; child → 'ready';
 * parent → 'go'; child → {report} and exits.
 */
import WebSocket from 'ws';
import { serveLoad } from './child-ipc.ts';
import { connectPatiently, connectRaw } from './flood-connect.ts';

export interface FloodInput {
  url: string;
  ms: number;
  maxFrames: number;
}

export interface FloodReport {
  frames: number;
  bytes: number;
  seconds: number;
  /** Replies by error code (FRAME_TOO_LARGE, BAD_JSON, ...). */
  replies: Record<string, number>;
  /** Connections the server dropped or cut, each followed by a new one. */
  drops: number;
  /** Reconnections the server refused at the upgrade (the per-source limits). */
  refusedUpgrades: number;
}

const WINDOW = 32;
const KiB = 1024;

/** The frame kinds, with how each is refused: all just under or over the 64 KiB default limit. */
function floodFrames(): { name: string; data: string | Buffer; binary?: boolean; drops?: boolean }[] {
  const castFields = `"electionId":"bench","n1":"${'A'.repeat(22)}","ciphertext":"${'A'.repeat(8000)}"`;
  const keys = Array.from({ length: 4_500 }, (_, i) => `"k${i}":${i}`).join(',');
  const pad = 'x'.repeat(60 * KiB);
  return [
    // Parsed in full (thousands of keys), then refused at the first additional property.
    { name: 'many keys', data: `{"id":"m","kind":"command","name":"ballot.cast","payload":{${castFields},${keys}}}` },
    // Scanned to the end before the nesting is seen.
    { name: 'deep at the end', data: `{"id":"d","kind":"query","name":"election.list","payload":{"pad":"${pad}","x":${'['.repeat(64)}` },
    // JSON.parse runs to the last byte before failing.
    { name: 'bad JSON at the end', data: `{"id":"j","kind":"query","name":"election.list","payload":{"pad":"${pad}"}` },
    // Lone surrogates in a ballot and a board query beyond any log position.
    { name: 'lone surrogates', data: `{"id":"s","kind":"command","name":"ballot.cast","payload":{"electionId":"bench","n1":"${'A'.repeat(22)}","ciphertext":"${'\\ud800'.repeat(1300)}"}}` },
    { name: '1e308', data: '{"id":"n","kind":"query","name":"ballots.board","payload":{"electionId":"bench","after":1e308}}' },
    // Over the limit: refused from its length, unparsed, connection kept.
    { name: '200 KiB', data: `{"id":"b","pad":"${'x'.repeat(200 * KiB)}"}` },
    { name: 'binary', data: Buffer.alloc(60 * KiB, 7), binary: true },
  ];
}

async function flood(input: FloodInput, ready: () => Promise<void>): Promise<FloodReport> {
  if (new URL(input.url).hostname !== '127.0.0.1') throw new Error('the flood runs against 127.0.0.1 only');
  const frames = floodFrames();
  const huge = 'x'.repeat(32 * 1024 * KiB);
  const report: FloodReport = { frames: 0, bytes: 0, seconds: 0, replies: {}, drops: 0, refusedUpgrades: 0 };
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const open = async (patienceMs = 0) => {
    const ws = await (patienceMs ? connectPatiently(input.url, patienceMs) : connectRaw(input.url));
    inFlight = 0;
    ws.on('message', (data) => {
      const code = (JSON.parse(data.toString()) as { error?: { code: string } }).error?.code ?? 'ok';
      report.replies[code] = (report.replies[code] ?? 0) + 1;
      inFlight--;
      wake?.();
    });
    ws.on('close', () => wake?.());
    ws.on('error', () => undefined);
    return ws;
  };
  let ws = await open(15_000);
  await ready();
  const t0 = performance.now();
  const deadline = t0 + input.ms;
  while (report.frames < input.maxFrames && performance.now() < deadline) {
    if (ws.readyState !== WebSocket.OPEN) {
      try {
        ws = await open();
        report.drops++;
      } catch {
        // Refused at the upgrade (the per-source limits): try again shortly, as a flooder would.
        report.refusedUpgrades++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
    }
    if (inFlight >= WINDOW) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
      wake = undefined;
      continue;
    }
    // One frame in 2,000 is 32 MiB: uWS drops the connection from the header (bounded: at most 3).
    const dropping = report.frames % 2_000 === 1_999 && report.drops < 3;
    const frame = dropping ? { data: huge, binary: false } : frames[report.frames % frames.length]!;
    ws.send(frame.data, { binary: frame.binary ?? false });
    report.frames++;
    report.bytes += typeof frame.data === 'string' ? Buffer.byteLength(frame.data) : frame.data.length;
    if (dropping) await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    else inFlight++;
  }
  report.seconds = (performance.now() - t0) / 1000;
  ws.close();
  return report;
}

serveLoad<FloodInput, FloodReport>(flood);
