// Resolution hook for subscription_filter.mjs: resolver code gets subscription_utils.mjs (the
// harness's utils plus subscription filtering) for `@aws-appsync/utils`.
const UTILS_URL = new URL('./subscription_utils.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@aws-appsync/utils') {
    return { url: UTILS_URL, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
