// Typed linting: the strict preset catches floating promises and unsafe `any`
// flows, which matter most in auth code where a forgotten await can allow.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noGateway = { regex: '(^|/)gateway/', message: 'the control plane imports core/, never the gateway' };

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', '.tools/', '.data/', 'coverage/', 'console/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  // The boundary (docs/architecture.md#core): both services build on core/,
  // neither reaches into the other, and core/ knows neither.
  {
    files: ['gateway/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)src/', message: 'the gateway imports core/, never the control plane (src/)' }] }] },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noGateway] }] },
  },
  // Inside the control plane (docs/architecture.md#control-plane): app/
  // assembles the server and only the entry points import it; context/ holds
  // the types every capability shares and imports nothing at run time.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/app/**', 'src/server.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noGateway, { regex: '(^|/)app/', message: 'src/app/ assembles the server; capabilities import src/context/, never app/' }] }] },
  },
  {
    files: ['src/context/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', allowTypeImports: true, message: 'src/context/ imports types only, so every capability can import it without a circle' }] }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(src|gateway)/', message: 'core/ is shared by both services and imports neither' }] }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
