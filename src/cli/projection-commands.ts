/** `evote projections …`: read-model maintenance (admin). */
import type { Command } from 'commander';
import { printResult, table } from './output.ts';
import { adminToken, request, withConnection, type GlobalOptions } from './session.ts';

interface Status {
  name: string;
  position: number;
  head: number;
  lag: number;
}

export function registerProjectionCommands(program: Command, globals: () => GlobalOptions): void {
  const projections = program.command('projections').description('read models (admin)');
  projections
    .command('status')
    .description('checkpoint and lag of each projection')
    .action(async () => {
      const g = globals();
      const { projections: rows } = await withConnection(g, (c) => request<{ projections: Status[] }>(c, 'query', 'projections.status', {}, { token: adminToken(g) }));
      printResult(g, rows, (r: Status[]) => table([['projection', 'position', 'head', 'lag'], ...r.map((s) => [s.name, s.position, s.head, s.lag])]));
    });
  projections
    .command('rebuild <name>')
    .description('empty a read model and fold the whole log into it again')
    .action(async (name: string) => {
      const g = globals();
      const result = await withConnection(g, (c) => request<{ rebuiltTo: number }>(c, 'command', 'projections.rebuild', { name }, { token: adminToken(g), timeoutMs: 600_000 }));
      printResult(g, result, (r: { rebuiltTo: number }) => `rebuilt ${name} up to position ${r.rebuiltTo}`);
    });
}
