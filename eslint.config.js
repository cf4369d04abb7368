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
  { ignores: ['node_modules/**', 'coverage/**', '.headway/**'] },
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
    // Pure modules: no I/O, so the rules engine stays a tested function of its inputs.
    files: ['src/health/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...nodeBuiltins, 'pino', '@temporalio/*', '**/store/**', '**/signals/**'] },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox.
    files: [
      'src/copilot/workflows/**/*.ts',
      'src/samples/workflows/**/*.ts',
      'src/bench/workflows/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodeBuiltins, 'pino', '**/store/**'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
