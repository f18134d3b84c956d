// Pipeline function (NONE data source) of sendMessage<Route>: hands the route's data tools to
// invokeHandler through ctx.stash.conversationTools. This packaged file is the step of a route without
// data tools; a route with some deploys code generated from its schema instead
// (conversation/data_tools.py, tools_settings_code), with the same shape: { dataTools: [...] }.
export function request(ctx) {
  ctx.stash.conversationTools = { dataTools: [] };
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
