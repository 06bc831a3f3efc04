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
);
