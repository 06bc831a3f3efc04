/**
 * Child process of bench/flood.ts: one connection that sends valid `election.get` queries as fast
 * as it can, never waiting for a reply (only for its own socket to drain), and counts the replies:
 * answered, refused (in flight, rate), other; with `reconnect` it comes back whenever it is cut.
 * Bounded in frames and time, 127.0.0.1 only.
 * IPC as flood-process.ts: parent → input; child → 'ready'; parent → 'go'; child → {report}.
 */
import WebSocket from 'ws';
import { serveLoad } from './child-ipc.ts';
import { connectPatiently, connectRaw } from './flood-connect.ts';

export interface QueryFloodInput {
  url: string;
  electionId: string;
  ms: number;
  maxFrames: number;
  /** Connect again whenever the server closes the connection, as a hostile client would. */
  reconnect?: boolean;
}

export interface QueryFloodReport {
  sent: number;
  seconds: number;
  answered: number;
  refused: number;
  /** Refused with TOO_MANY_REQUESTS (over the connection's request rate). */
  rateRefused: number;
  /** Any other reply. */
  other: number;
  /** Sent but never answered (the server closed the connection, or the wait at the end ran out). */
  unanswered: number;
  /** The close code when the server first closed a connection during the flood. */
  closedWith?: number;
  /** Connections opened (more than one when the server cut the flood and it came back). */
  connections: number;
  /** Reconnections the server refused at the upgrade (the per-source limits). */
  refusedUpgrades: number;
}

/** Frames sent between two turns of the event loop (which read the replies). */
const BURST = 256;
/** Unsent bytes in the client's own socket beyond which it waits for the kernel to take them. */
const HIGH_WATER = 1024 * 1024;

/** How long the first connection waits out a per-source penalty left by an earlier phase. */
const PATIENCE_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const OK = Buffer.from('"ok":true');
const REFUSED = Buffer.from('TOO_MANY_IN_FLIGHT');
const RATE_REFUSED = Buffer.from('TOO_MANY_REQUESTS');

async function flood(input: QueryFloodInput, ready: () => Promise<void>): Promise<QueryFloodReport> {
  if (new URL(input.url).hostname !== '127.0.0.1') throw new Error('the flood runs against 127.0.0.1 only');
  const report: QueryFloodReport = { sent: 0, seconds: 0, answered: 0, refused: 0, rateRefused: 0, other: 0, unanswered: 0, connections: 0, refusedUpgrades: 0 };
  const open = async (patienceMs = 0) => {
    const ws = await (patienceMs ? connectPatiently(input.url, patienceMs) : connectRaw(input.url));
    report.connections++;
    ws.on('message', (data: Buffer) => {
      if (data.includes(OK)) report.answered++;
      else if (data.includes(REFUSED)) report.refused++;
      else if (data.includes(RATE_REFUSED)) report.rateRefused++;
      else report.other++;
    });
    ws.on('close', (code) => {
      report.closedWith ??= code;
    });
    ws.on('error', () => undefined);
    return ws;
  };
  const prefix = '{"id":"f';
  const suffix = `","kind":"query","name":"election.get","payload":${JSON.stringify({ electionId: input.electionId })}}`;

  let ws = await open(PATIENCE_MS);
  await ready();
  const t0 = performance.now();
  const deadline = t0 + input.ms;
  while (report.sent < input.maxFrames && performance.now() < deadline) {
    if (ws.readyState !== WebSocket.OPEN) {
      if (!input.reconnect) break;
      // A hostile client comes back at once; the per-source limits decide whether it may.
      try {
        ws = await open();
      } catch {
        report.refusedUpgrades++;
        await sleep(10);
        continue;
      }
    }
    for (let i = 0; i < BURST && report.sent < input.maxFrames; i++) ws.send(prefix + report.sent++ + suffix);
    // Our own socket's backlog, not the server's replies: the flood never waits for an answer.
    while (ws.bufferedAmount > HIGH_WATER && ws.readyState === WebSocket.OPEN) await sleep(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  report.seconds = (performance.now() - t0) / 1000;
  const answered = () => report.answered + report.refused + report.rateRefused + report.other;
  const waitUntil = performance.now() + 10_000;
  while (answered() < report.sent && ws.readyState === WebSocket.OPEN && performance.now() < waitUntil) await sleep(10);
  report.unanswered = report.sent - answered();
  ws.close();
  return report;
}

serveLoad<QueryFloodInput, QueryFloodReport>(flood);
