import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', '.headway/**', 'dist/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      // A forgotten await on a Temporal or I/O call silently drops errors.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // The vocabulary: pure, and the floor everything stands on, so it imports nothing outside itself.
    files: ['src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./).*' }] }],
    },
  },
  {
    // Pure modules: no I/O, so the rules engine stays a tested function of its inputs.
    files: ['src/health/**/*.ts'],
    ignores: ['src/health/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'pino', '@temporalio/*', '**/store/**', '**/signals/**'],
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: an allow-list, not a deny-list.
    // Values may come only from the workflow SDK, zod, other workflow files, the feature's
    // workflow-safe `types.ts`, `health/` and `model/`; types may come from anywhere.
    files: [
      'src/copilot/workflows/**/*.ts',
      'src/samples/workflows/**/*.ts',
      'src/bench/workflows/**/*.ts',
      'src/scenarios/workflows/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(?!@temporalio/(workflow|common)$|zod$|\\./|\\.\\./types\\.js$|(\\.\\./)+(health|model)/).*',
              allowTypeImports: true,
              message:
                'workflow code may import values only from @temporalio/workflow, @temporalio/common, zod, workflows/, the feature types.ts, health/ and model/ (types from anywhere)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
