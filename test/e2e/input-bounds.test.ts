/**
 * Hostile values in every field of every message of the catalogue (docs/asyncapi.yaml is generated
 * from the same catalogue), over the real gateway on PostgreSQL and Redis at the default frame
 * limit: lone surrogates in each string, 1e308, Infinity, −1, 2^53 and fractions in each field,
 * nesting beyond the depth limit. Every answer is a coded error, never INTERNAL, and the process
 * keeps serving. Then a 32 MiB frame: refused by uWS from its length, never buffered or parsed.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/error-codes.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/gateway/input-bounds.ts';
import { MAX_JSON_DEPTH } from '../../src/gateway/input-bounds.ts';
import type { MessageSpec } from '../../src/gateway/schemas.ts';
import { RawClient, type RawReply } from '../support/raw-ws.ts';
import { leavesOf, numericLeaves, sampleOf, withValueAt, type Leaf } from '../support/schema-samples.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
let url: string;
let httpUrl: string;
let token: string;
let catalogue: readonly MessageSpec[];

beforeAll(async () => {
  cluster = await startTestCluster({ config: { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES } });
  const gateway = cluster.systems[0]!.gateway!;
  url = gateway.url;
  httpUrl = gateway.httpUrl;
  token = cluster.adminToken;
  catalogue = gateway.catalogue;
});
afterAll(async () => {
  await cluster?.close();
});

/** JSON cannot spell Infinity: this stand-in is replaced by 1e400 (which JSON.parse reads as Infinity) in the frame text. */
const INFINITY_MARK = 987654321.123456;
const HOSTILE_NUMBERS = [1e308, -1e308, INFINITY_MARK, -1, -0.5, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53)];
const LONE_SURROGATES = ['\uD800', '\uDFFF', '\uDC00\uD800'];

/** A string the field's schema would take, with one character swapped for a lone surrogate. */
const withSurrogate = (sample: unknown, surrogate: string) => {
  const s = typeof sample === 'string' && sample.length > 0 ? sample : 'a';
  return surrogate + s.slice(Math.min(s.length, surrogate.length));
};

const fieldName = (l: Leaf) => '/' + l.path.join('/');
const inRange = (l: Leaf, n: number) =>
  Number.isFinite(n) && n >= (l.schema.minimum as number) && n <= (l.schema.maximum as number) && (l.schema.type !== 'integer' || Number.isInteger(n));

let seq = 0;
async function send(c: RawClient, spec: MessageSpec, payload: unknown): Promise<RawReply> {
  const id = `b${++seq}`;
  const text = JSON.stringify({ id, kind: spec.kind, name: spec.name, token, payload }).replaceAll(String(INFINITY_MARK), '1e400');
  c.send(text);
  return c.next((r) => r.id === id).catch((err: unknown) => {
    throw new Error(`${spec.kind} ${spec.name} ${text.slice(0, 300)}: ${(err as Error).message}`);
  });
}

describe('the message catalogue under hostile values', () => {
  it('bounds every numeric field of every payload schema with a minimum and a maximum', () => {
    const unbounded = catalogue.flatMap((spec) =>
      numericLeaves(spec.payload)
        .filter((l) => typeof l.schema.minimum !== 'number' || typeof l.schema.maximum !== 'number')
        .map((l) => `${spec.kind} ${spec.name} ${fieldName(l)}`),
    );
    expect(unbounded).toEqual([]);
  });

  it('answers every hostile value in every field with a coded error, never INTERNAL', async () => {
    const known = new Set<string>([...Object.keys(GATEWAY_ERROR_CODES), ...catalogue.flatMap((m) => m.domainErrors)]);
    const c = await RawClient.connect(url);
    const seen: Record<string, number> = {};
    const check = (what: string, reply: RawReply, expected?: string) => {
      const code = reply.ok ? 'ok' : reply.error!.code;
      seen[code] = (seen[code] ?? 0) + 1;
      expect(code, what).not.toBe('INTERNAL');
      if (!reply.ok) expect(known, `${what}: ${code}`).toContain(code);
      if (expected) expect(code, what).toBe(expected);
    };
    let fields = 0;
    for (const spec of catalogue) {
      const base = sampleOf(spec.payload);
      const label = `${spec.kind} ${spec.name}`;
      // The sample passes the schema, so the refusals below are the hostile value's, not the sample's.
      const sampled = await send(c, spec, base);
      check(`${label} sample`, sampled);
      expect(sampled.error?.code, `${label}: the sample must satisfy the schema`).not.toBe('INVALID_PAYLOAD');
      for (const leaf of leavesOf(spec.payload)) {
        fields++;
        const what = `${label} ${fieldName(leaf)}`;
        const sample = sampleOf(leaf.schema);
        if (leaf.schema.type === 'string' || typeof sample === 'string') {
          for (const s of LONE_SURROGATES) check(`${what} = ${JSON.stringify(s)}`, await send(c, spec, withValueAt(base, leaf.path, withSurrogate(sample, s))), 'INVALID_PAYLOAD');
        }
        const numeric = leaf.schema.type === 'integer' || leaf.schema.type === 'number';
        for (const n of HOSTILE_NUMBERS) {
          const value = n === INFINITY_MARK ? Infinity : n;
          const expected = numeric && inRange(leaf, value) ? undefined : 'INVALID_PAYLOAD';
          check(`${what} = ${value}`, await send(c, spec, withValueAt(base, leaf.path, n)), expected);
        }
      }
      // Deeper than the limit: refused before parsing, so the reply cannot carry the id.
      const deep = JSON.parse(`${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`) as unknown;
      c.send(JSON.stringify({ id: 'deep', kind: spec.kind, name: spec.name, token, payload: deep }));
      check(`${label} deep payload`, await c.next((r) => r.id === null), 'BAD_JSON');
      const firstField = leavesOf(spec.payload)[0];
      if (firstField) {
        c.send(JSON.stringify({ id: 'deep', kind: spec.kind, name: spec.name, token, payload: withValueAt(base, firstField.path.slice(0, 1), deep) }));
        check(`${label} deep ${fieldName(firstField)}`, await c.next((r) => r.id === null), 'BAD_JSON');
      }
      // Exactly at the limit (envelope, payload, then arrays): parsed, then refused by the schema.
      const atLimit = JSON.parse(`${'['.repeat(MAX_JSON_DEPTH - 2)}1${']'.repeat(MAX_JSON_DEPTH - 2)}`) as unknown;
      check(`${label} nesting at the depth limit`, await send(c, spec, { deep: atLimit }), 'INVALID_PAYLOAD');
    }
    // Envelope members are checked too (the id is not echoed when it is the ill-formed part).
    c.send(JSON.stringify({ id: 'x\uD800', kind: 'query', name: 'election.list' }));
    check('envelope id', await c.next((r) => r.id === null), 'BAD_ENVELOPE');
    check('envelope token', await c.request({ id: 'tok', kind: 'query', name: 'election.list', token: '\uDBFF'.repeat(20) }), 'BAD_ENVELOPE');

    expect(fields).toBeGreaterThan(40);
    expect(seen.INVALID_PAYLOAD).toBeGreaterThan(fields * 5);
    // The same connection still answers, and so does the process.
    expect((await c.request({ id: 'after', kind: 'query', name: 'election.list' })).ok).toBe(true);
    c.close();
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
  });

  it('refuses a 32 MiB frame from its header: the connection is dropped before the payload is sent, and others are served', async () => {
    const bystander = await RawClient.connect(url);
    const socket = await upgradedSocket(url);
    // A text frame announcing 32 MiB, then the first 16 KiB of it: the server has no reason to wait for the rest.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(32 * 1024 * 1024), 2);
    socket.write(Buffer.concat([header, Buffer.alloc(16 * 1024, 0x20)]));
    const t0 = Date.now();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect((await bystander.request({ id: 'by', kind: 'query', name: 'election.list' })).ok).toBe(true);

    // The same through a WebSocket client that sends the whole frame: closed (uWS 20.30 drops the TCP
    // connection without a close frame; docs/gateway.md), and counted.
    const c = await RawClient.connect(url);
    c.send('x'.repeat(32 * 1024 * 1024));
    expect([1006, 1009]).toContain((await c.waitClosed()).code);
    expect((await bystander.request({ id: 'by2', kind: 'query', name: 'election.list' })).ok).toBe(true);
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/evote_errors_total\{code="FRAME_TOO_LARGE"\} [2-9]/);
    bystander.close();
  });
});

/** A TCP socket past the WebSocket handshake, to write frame bytes by hand. */
function upgradedSocket(wsUrl: string): Promise<net.Socket> {
  const { hostname, port, pathname } = new URL(wsUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.once('error', reject);
    socket.once('data', (data) => (data.toString().startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(data.toString()))));
  });
}
