/**
 * Every catalogue message, fed random and mutated payloads and envelopes: each frame gets exactly one
 * final reply, valid per the reply schema, with a known error code; the process and the connection stay up.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Ajv } from 'ajv';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { MESSAGE_CATALOGUE, REPLY_SCHEMA } from '../../src/gateway/schemas.ts';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/error-codes.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient } from './ws-test-client.ts';
import { mulberry32 } from '../support/prng.ts';

const ADMIN = 'fuzz-admin-token-0123456789abcdef';
const pubsub = createMemoryPubSub();
const services = createInMemoryElectionServices(pubsub);
let g: Gateway;

beforeAll(async () => {
  g = await startInMemoryGateway(services, pubsub, ADMIN);
});
afterAll(async () => {
  await g?.close();
  await pubsub.close();
});

function randomValue(rnd: () => number, depth = 0): unknown {
  const pick = Math.floor(rnd() * (depth > 2 ? 7 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return rnd() < 0.5;
    case 2: return Math.floor(rnd() * 2e6) - 1e6;
    case 3: return rnd() * 1e3;
    case 4: return '';
    case 5: return 'x'.repeat(Math.floor(rnd() * 300));
    case 6: return ['e1', 'a@b', '2099-01-01T00:00:00Z', 'email\na@b.c', '\u0000', '💥'][Math.floor(rnd() * 6)];
    case 7: return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => [`k${i}`, randomValue(rnd, depth + 1)]));
  }
}

const KNOWN_CODES = new Set<string>([
  ...Object.keys(GATEWAY_ERROR_CODES),
  ...MESSAGE_CATALOGUE.flatMap((s) => s.domainErrors),
]);

describe('fuzzed requests', () => {
  it('every message type, random payloads: one well-formed reply each, known codes, connection up', async () => {
    const rnd = mulberry32(20240601);
    const isReply = new Ajv({ strict: false }).compile(REPLY_SCHEMA);
    const c = await TestClient.open(g.url);
    const codes = new Map<string, number>();
    let n = 0;
    for (const spec of MESSAGE_CATALOGUE) {
      const props = Object.keys((spec.payload.properties as Record<string, unknown>) ?? {});
      for (let i = 0; i < 40; i++) {
        const payload: Record<string, unknown> = {};
        for (const p of props) if (rnd() < 0.7) payload[p] = randomValue(rnd);
        if (rnd() < 0.2) payload[`extra${i}`] = randomValue(rnd);
        const env: Record<string, unknown> = { kind: spec.kind, name: spec.name, payload };
        if (rnd() < 0.6) env.token = rnd() < 0.8 ? ADMIN : 'wrong-token-wrong-token';
        if (rnd() < 0.05) env.payload = randomValue(rnd);
        const r = await c.request(env as never);
        n++;
        expect(isReply(r)).toBe(true);
        if (!r.ok) {
          expect(KNOWN_CODES.has(r.error.code), `unknown code ${r.error.code}`).toBe(true);
          codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
        }
      }
    }
    // Garbage frames too.
    for (let i = 0; i < 30; i++) {
      const frame = rnd() < 0.5 ? JSON.stringify(randomValue(rnd)) : JSON.stringify(randomValue(rnd)).slice(0, -1);
      const before = c.messages.length;
      c.send(frame);
      const r = await c.waitFor(() => true, 5000, before);
      expect(isReply(r)).toBe(true);
      expect(['BAD_JSON', 'BAD_ENVELOPE', 'UNKNOWN_KIND']).toContain(r.error.code);
    }
    expect(n).toBe(MESSAGE_CATALOGUE.length * 40);
    expect(codes.get('INTERNAL') ?? 0).toBe(0);
    expect(codes.get('INVALID_PAYLOAD')).toBeGreaterThan(50);
    expect((await c.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
    c.close();
  });
});
