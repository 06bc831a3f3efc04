/** `evote booth hash`: the booth bundle's hash, of a local build or of what a server serves (docs/web.md). */
import type { Command } from 'commander';
import { defaultWebRoot } from '../app/features/web.ts';
import { BoothHashError, localBoothHash, servedBoothHash, type BoothFile } from '../client/booth-hash.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { printResult } from './output.ts';
import type { GlobalOptions } from './session.ts';

interface BoothHashOutput {
  sha256: string;
  source: string;
  files: BoothFile[];
}

const human = (o: BoothHashOutput) =>
  [`booth hash  ${o.sha256}`, `source      ${o.source}`, ...o.files.map((f) => `  ${f.sha256}  ${f.path}`)].join('\n');

export function registerBoothCommands(program: Command, globals: () => GlobalOptions): void {
  const booth = program.command('booth').description("the web booth: its bundle's hash");
  booth
    .command('hash')
    .description(
      "the booth bundle's SHA-256 (vote.html and every file it references). With --url (http:// or ws://), computed from the bytes that server serves at /vote; without, from the local build (dist/web, or EVOTE_WEB_ROOT), checked against its booth.json. Compare the two: a build from a fresh clone gives the same bytes",
    )
    .option('--web-root <dir>', 'the local build to hash (default: dist/web, or EVOTE_WEB_ROOT)')
    .action(async (opts: { webRoot?: string }) => {
      const g = globals();
      try {
        let out: BoothHashOutput;
        // Only a --url given on this command line means "ask a server": the global default is the local WebSocket.
        if (program.getOptionValueSource('url') === 'cli') {
          const served = await servedBoothHash(g.url, { timeoutMs: Number(g.timeout) || 30_000 });
          out = { sha256: served.sha256, source: `${served.origin}/vote`, files: served.files };
        } else {
          const root = opts.webRoot ?? defaultWebRoot();
          if (!root) throw new BoothHashError('BOOTH_NOT_BUILT', 'no local build of the web front end (run `npm run build`, or give --web-root)');
          const local = await localBoothHash(root);
          if (local.recorded !== local.sha256) {
            throw new BoothHashError(
              'BOOTH_HASH_MISMATCH',
              `${root}: the files hash to ${local.sha256}, booth.json records ${local.recorded ?? 'nothing'}: the build was changed after it was made`,
            );
          }
          out = { sha256: local.sha256, source: root, files: local.files };
        }
        printResult(g, out, human);
      } catch (err) {
        if (!(err instanceof BoothHashError)) throw err;
        const exit = err.code === 'BOOTH_FETCH_FAILED' ? EXIT.UNREACHABLE : err.code === 'BOOTH_HASH_MISMATCH' ? EXIT.REFUSED : EXIT.LOCAL_INPUT;
        throw new CliError(exit, err.message, err.code);
      }
    });
}
