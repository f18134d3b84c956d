#!/usr/bin/env bash
# What a pull request changes in what each stack declares, without cloud credentials: runs `tools.synth` on the
# base and the head revision and renders `tools.diff --markdown`, one section per stack, as a PR comment body.
#
#   synth_diff.sh BASE_DIR HEAD_DIR OUT_FILE
#
# SYNTH_STACKS   stacks to compare (default "dev prod")
# SYNTH_PYTHON   interpreter for both revisions (default HEAD_DIR/.venv/bin/python): one environment serves both,
#                so `scripts/setup.sh` runs once, in the head checkout
#
# Exit codes: 0 the markdown is written, also when the stacks differ (the diff informs a review, it is no verdict);
# 1 synth or diff failed on either revision (its error output is shown); 2 wrong usage.
set -euo pipefail

readonly MARKER='<!-- synth-diff -->'
readonly COMMENT_LIMIT=60000 # GitHub refuses comments over 65,536 characters; leave room for the notice.
readonly EMPTY_DOCUMENT='{"stack": "", "resources": [], "outputs": {}}'

if [ $# -ne 3 ] || [ ! -d "$1" ] || [ ! -d "$2" ]; then
  echo "usage: $0 BASE_DIR HEAD_DIR OUT_FILE (both directories must exist)" >&2
  exit 2
fi
base_dir=$(cd "$1" && pwd)
head_dir=$(cd "$2" && pwd)
out_file=$3
python=${SYNTH_PYTHON:-$head_dir/.venv/bin/python}
read -r -a stacks <<<"${SYNTH_STACKS:-dev prod}"
if [ ! -x "$python" ] && ! command -v "$python" >/dev/null; then
  echo "synth-diff: no Python at '$python'; run scripts/setup.sh in the head checkout or set SYNTH_PYTHON" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# synth SIDE DIR STACK OUT: writes the stack's document; a stack file that does not exist on this side means the
# stack is new (or removed), so it declares nothing there.
synth() {
  local side=$1 dir=$2 stack=$3 out=$4
  if [ ! -f "$dir/Pulumi.$stack.yaml" ]; then
    echo "$EMPTY_DOCUMENT" >"$out"
    return 0
  fi
  if ! (cd "$dir" && "$python" -m tools.synth --stack "$stack" --out "$out") 2>"$work/error"; then
    echo "synth-diff: synth of stack '$stack' failed on the $side revision ($dir):" >&2
    cat "$work/error" >&2
    return 1
  fi
}

{
  echo "$MARKER"
  echo "## Declared infrastructure: base → this pull request"
  echo
  echo "What each stack's program declares (\`tools.synth\` under mocks: no cloud access, secrets masked)."
  echo "The \`preview\` job's comments show what \`pulumi preview\` would change in the cloud."
  echo
} >"$work/body.md"

for stack in "${stacks[@]}"; do
  if [ ! -f "$base_dir/Pulumi.$stack.yaml" ] && [ ! -f "$head_dir/Pulumi.$stack.yaml" ]; then
    echo "synth-diff: stack '$stack' has no Pulumi.$stack.yaml on either revision" >&2
    exit 1
  fi
  synth base "$base_dir" "$stack" "$work/base-$stack.json"
  synth head "$head_dir" "$stack" "$work/head-$stack.json"
  status=0
  (cd "$head_dir" && "$python" -m tools.diff "$work/base-$stack.json" "$work/head-$stack.json" \
    --markdown --title "Stack $stack") >"$work/section.md" 2>"$work/error" || status=$?
  # tools.diff exits 1 for "different", but so does a Python crash: only output tells the two apart.
  if [ "$status" -gt 1 ] || [ ! -s "$work/section.md" ]; then
    echo "synth-diff: diff of stack '$stack' failed (exit $status):" >&2
    cat "$work/error" >&2
    exit 1
  fi
  {
    if [ ! -f "$base_dir/Pulumi.$stack.yaml" ]; then
      printf '_Stack "%s" is new in this pull request._\n\n' "$stack"
    elif [ ! -f "$head_dir/Pulumi.$stack.yaml" ]; then
      printf '_Stack "%s" is removed by this pull request._\n\n' "$stack"
    fi
    cat "$work/section.md"
    echo
  } >>"$work/body.md"
  cat "$work/section.md"
done

if [ "$(wc -c <"$work/body.md")" -gt "$COMMENT_LIMIT" ]; then
  # Whole lines only: a cut inside a table row or a multi-byte character would garble the comment.
  head -c "$COMMENT_LIMIT" "$work/body.md" | sed '$d' >"$out_file"
  printf '\n\n… cut to fit a comment: the full diff is in the log of the job that wrote it.\n' >>"$out_file"
else
  cp "$work/body.md" "$out_file"
fi
