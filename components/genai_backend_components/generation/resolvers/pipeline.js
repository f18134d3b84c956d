// Pipeline resolver around the generation route's steps: [settings step, invokeConverse].
// It adds nothing of its own, so the field's answer is exactly what the last step returned;
// identity and argument checks live in invokeConverse, next to the request they protect.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
