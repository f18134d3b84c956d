// Pipeline function (NONE data source), the first step of createAssistantResponse<Route> and
// createAssistantResponseStream<Route>: only the route's conversation handler may store or publish an
// answer. The handler's role is granted appsync:GraphQL on exactly those two fields, but IAM lets in any
// principal whose own policy allows the call (e.g. another role of the account with appsync:GraphQL on
// the whole API), so this step also pins the caller to the handler's role.
//
// For an IAM caller, ctx.identity.userArn is the caller's ARN (AWS AppSync "Resolver context reference
// (JavaScript)", Identity); a Lambda function signs with its execution role's session, whose ARN is
// arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>, without the role's path (IAM
// User Guide, "IAM identifiers"). The prefix below ends with the "/" after the role name, so a role whose
// name merely starts with the handler role's name does not match.
//
// This packaged file is a template: its prefix matches no real account. The component deploys it with
// the handler role's prefix written into the constant below (generation/settings_step.py,
// replace_string_constant; conversation/wiring.py, handler_caller_check_code).
import { util } from '@aws-appsync/utils';

const HANDLER_ROLE_SESSION_ARN_PREFIX = 'arn:aws:sts::000000000000:assumed-role/handler/';

export function request(ctx) {
  const identity = ctx.identity;
  const arn = identity?.userArn;
  // Not a user-pool caller, not an identity-pool (browser) identity, and the handler role's own session.
  if (identity?.sub || identity?.cognitoIdentityPoolId || identity?.cognitoIdentityId
      || typeof arn !== 'string' || !arn.startsWith(HANDLER_ROLE_SESSION_ARN_PREFIX)) {
    util.error('Only the conversation handler may store or publish assistant answers', 'Unauthorized');
  }
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
