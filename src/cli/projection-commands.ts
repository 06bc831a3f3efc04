/** `evote projections …`: read-model maintenance (admin). */
import type { Command } from 'commander';
import { printResult, table } from './output.ts';
import type { ProjectionStatus } from '../client/admin.ts';
import { withAdmin, type GlobalOptions } from './session.ts';

export function registerProjectionCommands(program: Command, globals: () => GlobalOptions): void {
  const projections = program.command('projections').description('read models (admin)');
  projections
    .command('status')
    .description('checkpoint and lag of each projection')
    .action(async () => {
      const g = globals();
      const rows = await withAdmin(g, (admin) => admin.projectionStatus());
      printResult(g, rows, (r: ProjectionStatus[]) => table([['projection', 'position', 'head', 'lag'], ...r.map((s) => [s.name, s.position, s.head, s.lag])]));
    });
  projections
    .command('rebuild <name>')
    .description('empty a read model and fold the whole log into it again')
    .action(async (name: string) => {
      const g = globals();
      const result = await withAdmin(g, (admin) => admin.rebuildProjection(name));
      printResult(g, result, (r) => `rebuilt ${name} up to position ${r.rebuiltTo}`);
    });
}
