// Resolution hook for use_ai_conversation.mjs: the hooks of @aws-amplify/ui-react-ai get hook_runtime.mjs
// for `react`; everything else resolves as usual.
const RUNTIME_URL = new URL('./hook_runtime.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'react' && context.parentURL?.includes('/@aws-amplify/ui-react-ai/dist/esm/hooks/')) {
    return { url: RUNTIME_URL, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
