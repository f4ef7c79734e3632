// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import drizzle from 'eslint-plugin-drizzle';

/** Modules a workflow may never reach: they are non-deterministic or do I/O. */
const outsideTheSandbox = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'stream', 'worker_threads',
  'drizzle-orm', 'drizzle-orm/*', 'postgres', 'hono', 'hono/*', '@hono/*', 'ws', '@electric-sql/pglite', '@electric-sql/pglite/*',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'ajv', 'ajv/*', 'yaml',
];

/** What workflow code may not import: the sandbox's boundary. */
const sandboxPatterns = [
  { group: outsideTheSandbox, message: 'Workflow code runs in the deterministic sandbox: no Node APIs, I/O, DB, HTTP or server libraries.' },
  { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'Workflows import activities as types only.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.temporal/', 'drizzle/', 'test-results/', 'dist/', 'src/ui/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX, drizzle },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': 'error',
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read the environment in src/config.ts only.' }],
    },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: sandboxPatterns,
        paths: [{ name: '@temporalio/workflow', importNames: ['patched', 'deprecatePatch'], message: 'Declare a change with change() and ask for it with hasChange() (revision.ts): runs started on a revision that holds it skip the marker.' }],
      }],
      'no-restricted-globals': ['error', 'process', 'setImmediate', 'Buffer', 'require'],
    },
  },
  {
    files: ['src/workflows/revision.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: sandboxPatterns }] },
  },
  {
    files: ['src/config.ts', 'scripts/**', 'test/**', 'bench/**', '*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Vitest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
