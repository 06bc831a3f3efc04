/**
 * infra/docker-compose.yml cannot be started here (no container engine), so this checks what can be
 * checked without one: the file parses, the three KurrentDB nodes form one cluster that a client on
 * the host can reach, and the connection string infra/README.md gives is the one the nodes advertise
 * and one the pinned client accepts.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EventStoreDBClient } from '@eventstore/db-client';

interface Service {
  image: string;
  hostname?: string;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(await readFile('infra/docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const readme = await readFile('infra/README.md', 'utf8');
const nodes = Object.entries(compose.services).filter(([, s]) => s.image.includes('/kurrentdb:'));

/** host port of `127.0.0.1:HOST:CONTAINER`, after the compose default of `${VAR:-n}`. */
function hostPort(mapping: string): { bind: string; host: number; container: number } {
  const [bind, host, container] = mapping.replace(/\$\{[A-Z_]+:-(\d+)\}/g, '$1').split(':');
  return { bind: bind!, host: Number(host), container: Number(container) };
}

describe('infra/docker-compose.yml', () => {
  it('runs three KurrentDB nodes, PostgreSQL and Redis, each with a health check and bound to 127.0.0.1 only', () => {
    expect(nodes.map(([name]) => name)).toEqual(['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3']);
    expect(Object.keys(compose.services).sort()).toEqual(['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3', 'postgres', 'redis']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test.length, `${name} has a health check`).toBeGreaterThan(0);
      for (const p of service.ports ?? []) expect(hostPort(p).bind, `${name} ${p}`).toBe('127.0.0.1');
    }
  });

  it('configures each node as a member of one insecure three-node cluster that gossips with the other two', () => {
    for (const [name, node] of nodes) {
      const env = node.environment ?? {};
      // One prefix: a node ignores settings under a prefix it does not read.
      expect(Object.keys(env).filter((k) => !k.startsWith('KURRENTDB_')), name).toEqual([]);
      expect(env.KURRENTDB_CLUSTER_SIZE, name).toBe('3');
      expect(env.KURRENTDB_INSECURE, name).toBe('true');
      expect(env.KURRENTDB_DISCOVER_VIA_DNS, name).toBe('false');
      expect(node.hostname, name).toBe(name);
      const seeds = (env.KURRENTDB_GOSSIP_SEED ?? '').split(',');
      const others = nodes.map(([other]) => other).filter((other) => other !== name);
      expect(seeds.sort(), name).toEqual(others.map((o) => `${o}:2113`));
    }
  });

  it('has each node advertise to clients the host address and port it is published on', () => {
    for (const [name, node] of nodes) {
      const [mapping] = (node.ports ?? []).map(hostPort);
      expect(mapping?.container, name).toBe(2113);
      expect(node.environment?.KURRENTDB_ADVERTISE_HOST_TO_CLIENT_AS, name).toBe(mapping?.bind);
      expect(node.environment?.KURRENTDB_ADVERTISE_NODE_PORT_TO_CLIENT_AS, name).toBe(String(mapping?.host));
    }
  });

  it('matches the cluster connection string of infra/README.md, which the pinned client accepts', async () => {
    const published = nodes.map(([, node]) => `127.0.0.1:${hostPort(node.ports![0]!).host}`);
    const strings = [...readme.matchAll(/EVENTSTORE_URL='(esdb:\/\/[^']+)'/g)].map((m) => m[1]!);
    expect(strings.length).toBeGreaterThan(0);
    for (const url of strings) {
      expect(url.slice('esdb://'.length).split('?')[0]!.split(','), url).toEqual(published);
      // Parsing only: the client connects lazily, so nothing is dialled here.
      const client = EventStoreDBClient.connectionString(url);
      await client.dispose();
    }
  });
});
