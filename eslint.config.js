import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of docs/architecture.md, bottom up: a folder may import its own layer and the ones
 * below, never above (crypto sits under domain inside layer 0).
 */
const LAYERS = [
  ['crypto'],
  ['domain'],
  ['sql', 'eventstore', 'keystore', 'pubsub', 'pool', 'credentials', 'runtime'],
  ['commands', 'projections', 'auth', 'tally', 'audit'],
  ['gateway', 'client'],
  ['app', 'cli'],
];

const layerRules = LAYERS.flatMap((folders, level) => {
  const above = LAYERS.slice(level + 1).flat();
  if (above.length === 0) return [];
  return folders.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...above.map((f) => `**/${f}/*`), '**/main.ts'],
              message: `src/${folder} is below ${above.map((f) => `src/${f}`).join(', ')} (docs/architecture.md, "Layers"): move the shared piece down instead.`,
            },
          ],
        },
      ],
    },
  }));
});

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layerRules,
  {
    // The browser front end: bundled by Vite for the browser, so no Node built-ins, directly or
    // through a server module (docs/web.md).
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'ws', 'pg', 'ioredis', 'uWebSockets.js'], message: 'web/ runs in the browser: no Node built-ins or server packages.' },
            {
              group: ['**/src/{app,cli,gateway,eventstore,sql,keystore,pubsub,pool,runtime,tally}/*'],
              allowTypeImports: true,
              message: 'web/ may import types from anywhere in src/, but code only from the browser-safe layers (crypto, domain, and the pure modules above them).',
            },
          ],
        },
      ],
    },
  },
);
