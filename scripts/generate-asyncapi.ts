/**
 * `npm run docs:asyncapi`: starts an embedded evote process in a temporary directory (no services
 * needed), reads the full message catalogue from its gateway and writes docs/asyncapi.yaml.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSystem } from '../src/app/bootstrap.ts';
import { silentLogger } from '../src/runtime/log.ts';
import { asyncApiYaml } from './asyncapi-yaml.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'evote-asyncapi-'));
try {
  const system = await startSystem(
    { host: '127.0.0.1', port: 0, dataDir: dir, adminToken: 'docs-generation-token-0000', maxFrameBytes: 1024 * 1024 },
    { gateway: true, log: silentLogger },
  );
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const yaml = asyncApiYaml(system.gateway!.catalogue, pkg.version);
  await system.close();
  await writeFile('docs/asyncapi.yaml', yaml);
  console.log(`docs/asyncapi.yaml: ${system.gateway!.catalogue.length} messages`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
