// Lint: typescript-eslint's type-aware rules on the sources and tests. `npm test` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', 'bench/**', 'demo/**', 'scripts/**', '**/*.mjs', '**/*.cjs', '**/*.js', 'vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits or catches is where an agent's rejection reaches the host.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Every public name is a deliberate line.
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'export names explicitly, not with export *' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Wrappers on hot paths forward `arguments` on purpose: rest parameters allocate an array per call.
      'prefer-rest-params': 'off',
    },
  },
  {
    // Tests drive hostile and untyped inputs on purpose.
    files: ['test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
