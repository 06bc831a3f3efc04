/**
 * Real gateway processes (src/main.ts under tsx) on one database and one Redis, behind Debian's
 * HAProxy with infra/haproxy.cfg's settings: for the scale-out tests. Every child is killed by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { until } from './system.ts';

export const HAPROXY = '/usr/sbin/haproxy';

export interface GatewayProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** The last stderr lines (JSON logs), for a failing test's message. */
  stderr: string[];
}

const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true;

/** Starts `node --import tsx src/main.ts` on a free port and waits for /readyz. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, EVOTE_LOG_LEVEL: 'warn', ...env, EVOTE_PORT: String(port), EVOTE_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (b: Buffer) => stderr.push(...b.toString().split('\n').filter(Boolean)) && stderr.splice(0, Math.max(0, stderr.length - 50)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`gateway on ${port} exited (${code}): ${stderr.join('\n')}`))));
  exited.catch(() => undefined);
  try {
    await Promise.race([until(() => ready(port), 120_000, `the gateway on ${port} to be ready`), exited]);
  } catch (err) {
    await stopProcess(child, 'SIGKILL');
    throw err;
  }
  return { port, url: `ws://127.0.0.1:${port}/ws`, child, stderr };
}

/** SIGKILL (the `kill -9` of the issue) or SIGTERM, then waits for the exit. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

export interface Balancer {
  port: number;
  url: string;
  child: ChildProcess;
  config: string;
  close(): Promise<void>;
}

/** The configuration infra/haproxy.cfg documents, with these ports and a fast health check. */
export function haproxyConfig(listenPort: number, gatewayPorts: number[], balance = 'leastconn'): string {
  return [
    'global',
    '    maxconn 4000',
    'defaults',
    '    mode http',
    '    option http-server-close',
    '    timeout connect 2s',
    '    timeout client 60s',
    '    timeout server 60s',
    '    timeout tunnel 1h',
    '    timeout client-fin 5s',
    '    timeout http-request 10s',
    '    timeout check 5s',
    'frontend evote',
    `    bind 127.0.0.1:${listenPort}`,
    '    http-request del-header X-Forwarded-For',
    '    option forwardfor',
    '    default_backend gateways',
    'backend gateways',
    `    balance ${balance}`,
    '    option redispatch',
    '    retries 3',
    '    option httpchk',
    '    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host evote',
    '    http-check expect status 200',
    '    default-server inter 1s fall 3 rise 2',
    ...gatewayPorts.map((p, i) => `    server gw${i + 1} 127.0.0.1:${p} check`),
    '',
  ].join('\n');
}

/** Runs HAProxy in the foreground (`-db`) on a free port in front of `gatewayPorts`; waits until it routes. `first`: all to the first live one. */
export async function startHaproxy(gatewayPorts: number[], balance?: 'leastconn' | 'first'): Promise<Balancer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'evote-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(port, gatewayPorts, balance));
  const child = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
  try {
    await until(() => ready(port), 15_000, `haproxy on ${port} to route: ${stderr.join('')}`);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    child,
    config,
    async close() {
      await stopProcess(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
