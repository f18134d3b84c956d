#!/usr/bin/env bash
# One `pulumi preview` as a reviewer or an approver needs it: refreshed from the cloud first (so drift shows),
# with the diff and the CrossGuard pack in policy/, its whole output both in the job log and in a file that the
# next steps turn into the pull-request comment or the job summary (preview_report.py). Used by the PR preview
# (preview.yml) and by the preview before every deploy (deploy-stack.yml), so both show the same thing.
#
#   preview.sh STACK_NAME LOG_FILE
#
# PULUMI_BACKEND_URL  self-managed state backend to log in to; unset or empty: Pulumi Cloud (PULUMI_ACCESS_TOKEN)
#
# The exit code is pulumi's (a policy violation or an error fails the step); the log is written either way.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 STACK_NAME LOG_FILE" >&2
  exit 2
fi
stack_name=$1
log_file=$2

{
  if [ -n "${PULUMI_BACKEND_URL:-}" ]; then
    pulumi login "$PULUMI_BACKEND_URL"
  else
    pulumi login
  fi &&
    pulumi preview --stack "$stack_name" --refresh --diff --policy-pack policy --non-interactive --color never
} 2>&1 | tee "$log_file"
exit "${PIPESTATUS[0]}"
