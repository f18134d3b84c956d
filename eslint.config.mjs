// ESLint flat config: APPSYNC_JS rules for resolver code only.
//
// The AppSync plugin's "recommended" set needs type information (no-recursion,
// no-function-passing, no-disallowed-methods ...). Resolvers are plain .js files with no
// tsconfig, so typescript-eslint's project service lints them in its default project.
// Resolver code lives in resolvers/ (this backend's League API) and in the component library's
// components/genai_backend_components/<component>/resolvers/ (what the AI routes deploy). Everything else
// is ignored: tests, tools and node_modules are ordinary Node code.
import appsync from '@aws-appsync/eslint-plugin';

// typescript-eslint refuses '**' here, so list the depths in use: resolvers/<file>.js and one
// folder down, and the library's <component>/resolvers/<file>.js.
// tests/app/test_resolvers_lint.py fails if a resolver file sits elsewhere and is not covered.
const LIBRARY = 'components/genai_backend_components';
const RESOLVER_GLOBS = ['resolvers/*.js', 'resolvers/*/*.js', `${LIBRARY}/*/resolvers/*.js`];
const RESOLVER_FILES = ['resolvers/**/*.js', `${LIBRARY}/*/resolvers/*.js`];

export default [
  {
    ignores: [
      '**/*',
      '!resolvers/', '!resolvers/**/', '!resolvers/**/*.js',
      '!components/', `!${LIBRARY}/`, `!${LIBRARY}/*/`, `!${LIBRARY}/*/resolvers/`, `!${LIBRARY}/*/resolvers/*.js`,
    ],
  },
  {
    files: RESOLVER_FILES,
    ...appsync.configs.recommended,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parserOptions: {
        projectService: {
          allowDefaultProject: RESOLVER_GLOBS,
          // The default cap is 8 files in the default project; the API grows past that.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 64,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
];
