// Module resolution hook: resolver code gets this directory's utils.mjs for `@aws-appsync/utils`.
//
// APPSYNC_JS accepts a single ES module whose only import is `@aws-appsync/utils`, so any other
// import from resolver code is refused here with the reason, rather than silently working in Node
// and failing at deploy time.
const RUNTIME_DIRECTORY = new URL('./', import.meta.url).href;
const UTILS_URL = new URL('./utils.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@aws-appsync/utils') {
    return { url: UTILS_URL, shortCircuit: true };
  }
  const importer = context.parentURL;
  if (importer === undefined || importer.startsWith(RUNTIME_DIRECTORY)) {
    return nextResolve(specifier, context);
  }
  if (specifier.startsWith('@aws-appsync/utils/')) {
    throw new Error(`${importer} imports ${specifier}, which the local runtime does not provide yet`);
  }
  throw new Error(
    `${importer} imports ${specifier}: APPSYNC_JS code may import only @aws-appsync/utils (bundle anything else)`,
  );
}
