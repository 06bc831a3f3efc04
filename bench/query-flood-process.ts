/**
 * Child process of bench/flood.ts: one connection that sends valid `election.get` queries as fast
 * as it can, never waiting for a reply (only for its own socket to drain), and counts the replies:
 * answered, refused with TOO_MANY_IN_FLIGHT, other. Bounded in frames and time, 127.0.0.1 only.
 * IPC as flood-process.ts: parent → input; child → 'ready'; parent → 'go'; child → {report}.
 */
import WebSocket from 'ws';
import { serveLoad } from './child-ipc.ts';

export interface QueryFloodInput {
  url: string;
  electionId: string;
  ms: number;
  maxFrames: number;
}

export interface QueryFloodReport {
  sent: number;
  seconds: number;
  answered: number;
  refused: number;
  /** Any other reply (an error code other than TOO_MANY_IN_FLIGHT). */
  other: number;
  /** Sent but never answered (the server closed the connection, or the wait at the end ran out). */
  unanswered: number;
  /** The close code when the server closed the connection during the flood. */
  closedWith?: number;
}

/** Frames sent between two turns of the event loop (which read the replies). */
const BURST = 256;
/** Unsent bytes in the client's own socket beyond which it waits for the kernel to take them. */
const HIGH_WATER = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const OK = Buffer.from('"ok":true');
const REFUSED = Buffer.from('TOO_MANY_IN_FLIGHT');

async function flood(input: QueryFloodInput, ready: () => Promise<void>): Promise<QueryFloodReport> {
  if (new URL(input.url).hostname !== '127.0.0.1') throw new Error('the flood runs against 127.0.0.1 only');
  const ws = new WebSocket(input.url, { maxPayload: 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const report: QueryFloodReport = { sent: 0, seconds: 0, answered: 0, refused: 0, other: 0, unanswered: 0 };
  ws.on('message', (data: Buffer) => {
    if (data.includes(OK)) report.answered++;
    else if (data.includes(REFUSED)) report.refused++;
    else report.other++;
  });
  ws.on('close', (code) => {
    if (report.seconds === 0) report.closedWith = code;
  });
  ws.on('error', () => undefined);
  const prefix = '{"id":"f';
  const suffix = `","kind":"query","name":"election.get","payload":${JSON.stringify({ electionId: input.electionId })}}`;

  await ready();
  const t0 = performance.now();
  const deadline = t0 + input.ms;
  while (report.sent < input.maxFrames && performance.now() < deadline && ws.readyState === WebSocket.OPEN) {
    for (let i = 0; i < BURST && report.sent < input.maxFrames; i++) ws.send(prefix + report.sent++ + suffix);
    // Our own socket's backlog, not the server's replies: the flood never waits for an answer.
    while (ws.bufferedAmount > HIGH_WATER && ws.readyState === WebSocket.OPEN) await sleep(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  report.seconds = (performance.now() - t0) / 1000;
  const answeredAll = () => report.answered + report.refused + report.other >= report.sent;
  const waitUntil = performance.now() + 10_000;
  while (!answeredAll() && ws.readyState === WebSocket.OPEN && performance.now() < waitUntil) await sleep(10);
  report.unanswered = report.sent - report.answered - report.refused - report.other;
  ws.close();
  return report;
}

serveLoad<QueryFloodInput, QueryFloodReport>(flood);
