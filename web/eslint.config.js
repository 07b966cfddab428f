// The page's import rules (run by `npm run lint`, in `make test`): feature folders never import
// each other, and the shared parts (api, auth, shared) never import a feature or the app — as
// bulletproof-react's docs/project-structure.md does with import/no-restricted-paths.
import { readdirSync } from 'node:fs';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts'] },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            ...features.map((feature) => ({
              target: `./src/features/${feature}`,
              from: './src/features',
              except: [`./${feature}`],
              message: 'A feature does not import another feature: move what both need to src/shared (or src/api).',
            })),
            {
              target: ['./src/shared', './src/api', './src/auth'],
              from: ['./src/features', './src/app'],
              message: 'Shared parts do not depend on a feature or on the app.',
            },
            { target: './src/features', from: './src/app', message: 'A feature does not import the app shell.' },
          ],
        },
      ],
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
