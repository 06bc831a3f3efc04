/**
 * docs/asyncapi.yaml is the published contract of the WebSocket protocol. It must be exactly what
 * the gateway validates: regenerated from the running gateway's catalogue it is byte-identical
 * (else run `npm run docs:asyncapi`), and every message it lists is one the live gateway accepts.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncApiYaml } from '../../scripts/asyncapi-yaml.ts';
import { RawClient } from '../support/raw-ws.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.close();
});

describe('docs/asyncapi.yaml', () => {
  it('is the document derived from the gateway catalogue, byte for byte', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const expected = asyncApiYaml(cluster.systems[0]!.gateway!.catalogue, pkg.version);
    const actual = await readFile('docs/asyncapi.yaml', 'utf8');
    expect(actual, 'docs/asyncapi.yaml is stale: run `npm run docs:asyncapi`').toBe(expected);
  });

  it('lists only messages the live gateway knows, with the schemas it enforces', async () => {
    const yaml = await readFile('docs/asyncapi.yaml', 'utf8');
    const names = [...yaml.matchAll(/^ {6}(command|query|subscribe|unsubscribe)\.([A-Za-z0-9.]+):$/gm)].map((m) => [m[1]!, m[2]!] as const)
      .filter(([, name]) => !name.endsWith('.result'));
    const catalogue = cluster.systems[0]!.gateway!.catalogue;
    expect(names.length).toBe(catalogue.length);
    const c = await RawClient.connect(cluster.systems[0]!.gateway!.url);
    for (const [kind, name] of names) {
      // An unknown member in the payload must be refused by the schema the document shows
      // (additionalProperties: false), or by the admin check first; never UNKNOWN_NAME.
      const reply = await c.request({ id: `${kind}.${name}`, kind, name, token: cluster.adminToken, payload: { notInTheSchema: true } });
      expect(reply.ok, `${kind} ${name}`).toBe(false);
      expect(reply.error?.code, `${kind} ${name}`).toBe('INVALID_PAYLOAD');
    }
    c.close();
  });
});
