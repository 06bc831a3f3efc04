/** Admin messages for read-model maintenance: projection status and rebuild from position zero. */
import type { ProjectionRunner } from '../../projections/runner.ts';
import { isProjectionError } from '../../projections/errors.ts';
import { domainError } from '../../domain/errors.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type MessageSpec } from '../schemas.ts';

const SPECS: MessageSpec[] = [
  {
    kind: 'query',
    name: 'projections.status',
    adminOnly: true,
    summary: "Each projection's checkpoint, the log head and the lag.",
    payload: { type: 'object', additionalProperties: false, properties: {} },
    result: {
      description: 'One row per projection.',
      schema: {
        type: 'object',
        required: ['projections'],
        properties: {
          projections: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'position', 'head', 'lag'],
              properties: { name: { type: 'string' }, position: { type: 'integer' }, head: { type: 'integer' }, lag: { type: 'integer' } },
            },
          },
        },
      },
    },
    domainErrors: [],
  },
  {
    kind: 'command',
    name: 'projections.rebuild',
    adminOnly: true,
    summary: 'Empty a read model and fold the whole log into it again.',
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' } },
    },
    result: { description: 'The position the rebuilt projection reached.', schema: { type: 'object', required: ['rebuiltTo'], properties: { rebuiltTo: { type: 'integer' } } } },
    domainErrors: ['PROJECTION_NOT_FOUND'],
  },
];

export function projectionMessageModule(runner: ProjectionRunner): MessageModule {
  return {
    name: 'projections',
    specs: SPECS,
    handlers: new Map<string, MessageHandler>([
      [
        catalogueKey('query', 'projections.status'),
        async () => ({
          ok: true as const,
          value: { projections: (await runner.status()).map(({ name, position, head, lag }) => ({ name, position, head, lag })) },
        }),
      ],
      [
        catalogueKey('command', 'projections.rebuild'),
        async (p) => {
          try {
            // `rebuiltTo`, not `position`: the gateway must not wait for read models a rebuild is still filling.
            return { ok: true as const, value: { rebuiltTo: (await runner.rebuild(p.name as string)).position } };
          } catch (err) {
            if (isProjectionError(err) && err.code === 'PROJECTION_NOT_FOUND') {
              return { ok: false as const, error: domainError('PROJECTION_NOT_FOUND', `no projection named ${String(p.name)}`) };
            }
            throw err;
          }
        },
      ],
    ]),
  };
}
