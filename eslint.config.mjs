// Lint for the TypeScript sources, tests and benchmarks: typescript-eslint's
// type-checked recommended rules; formatting is prettier's job, not lint's.
// (The CHT config files at the root — tasks.js, targets.js, ... — are linted
// by cht-conf with their own .eslintrc.)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.build/', 'extension-libs/', 'tools/', 'bin/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Error's `cause` option needs the ES2022 lib, and the phones' code is held to ES2020 APIs; our messages quote the cause.
      'preserve-caught-error': 'off',
      // `let x; x = make(() => x.close())`: a closure reads it before it is assigned.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The product code is type-checked with index access checked (tsconfig.strict.json).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.strict.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Tests and benchmarks read JSON off HTTP and out of files to assert on it:
    // typing every such value would add casts, not safety. The product code keeps these rules.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'harness/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Stand-in servers take async request handlers that answer their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/require-await': 'off',
    },
  },
);
