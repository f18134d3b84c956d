#!/usr/bin/env bash
# What a pull request changes in what each stack declares, without cloud credentials: runs `tools.synth` on the
# base and the head revision and renders `tools.diff --markdown`, one section per stack, as a PR comment body
# (each section within its share of GitHub's comment limit, summary and blockers always kept), and the whole
# text diff on standard output, for the job log.
#
#   synth_diff.sh BASE_DIR HEAD_DIR OUT_FILE
#
# Each revision runs in a virtual environment built from its own requirements, so a dependency bump (pulumi-aws,
# the component library in components/) shows in the diff instead of both sides running the head's packages:
# DIR/.venv is used when its stamp (.venv/.requirements.sha256, as scripts/setup.sh writes it) matches DIR's
# requirements.txt, requirements-dev.txt and components/pyproject.toml; otherwise it is created with
# `python -m venv` and `pip install -r requirements-dev.txt`, in DIR.
#
# SYNTH_STACKS         stacks to compare (default "dev prod")
# SYNTH_BASE_PYTHON    interpreter for the base revision instead of BASE_DIR/.venv (tests; nothing is built)
# SYNTH_HEAD_PYTHON    interpreter for the head revision instead of HEAD_DIR/.venv
# SYNTH_BOOTSTRAP_PYTHON  the Python that creates a missing venv (default python3)
#
# Exit codes: 0 the markdown is written, also when the stacks differ (the diff informs a review, it is no verdict);
# 1 building a venv, synth or diff failed on either revision (its error output is shown); 2 wrong usage.
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
read -r -a stacks <<<"${SYNTH_STACKS:-dev prod}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# venv_python SIDE DIR: prints the interpreter of DIR's own venv, building it from DIR's requirements if needed.
venv_python() {
  local side=$1 dir=$2 wanted file
  wanted=$(cd "$dir" && for file in requirements.txt requirements-dev.txt components/pyproject.toml; do
    if [ -f "$file" ]; then cat "$file"; fi
  done | sha256sum | cut -d' ' -f1)
  if [ -x "$dir/.venv/bin/python" ] && [ "$(cat "$dir/.venv/.requirements.sha256" 2>/dev/null)" = "$wanted" ]; then
    echo "$dir/.venv/bin/python"
    return 0
  fi
  echo "synth-diff: building the $side revision's venv from its own requirements ($dir/.venv)" >&2
  if ! ("${SYNTH_BOOTSTRAP_PYTHON:-python3}" -m venv "$dir/.venv" &&
    cd "$dir" && .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt) \
    >"$work/pip.log" 2>&1; then
    echo "synth-diff: could not install the $side revision's requirements ($dir/requirements-dev.txt):" >&2
    cat "$work/pip.log" >&2
    return 1
  fi
  echo "$wanted" >"$dir/.venv/.requirements.sha256"
  echo "$dir/.venv/bin/python"
}

base_python=${SYNTH_BASE_PYTHON:-$(venv_python base "$base_dir")} || exit 1
head_python=${SYNTH_HEAD_PYTHON:-$(venv_python head "$head_dir")} || exit 1

# synth SIDE DIR STACK OUT: writes the stack's document; a stack file that does not exist on this side means the
# stack is new (or removed), so it declares nothing there.
synth() {
  local side=$1 dir=$2 stack=$3 out=$4 python
  if [ ! -f "$dir/Pulumi.$stack.yaml" ]; then
    echo "$EMPTY_DOCUMENT" >"$out"
    return 0
  fi
  if [ "$side" = base ]; then python=$base_python; else python=$head_python; fi
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

# Each stack's section gets an equal share of the comment: tools.diff keeps its summary and blockers and cuts
# the rest to fit, so no stack's blockers are lost to another stack's long diff.
budget=$(((COMMENT_LIMIT - $(wc -c <"$work/body.md") - 200 * ${#stacks[@]}) / ${#stacks[@]}))

for stack in "${stacks[@]}"; do
  if [ ! -f "$base_dir/Pulumi.$stack.yaml" ] && [ ! -f "$head_dir/Pulumi.$stack.yaml" ]; then
    echo "synth-diff: stack '$stack' has no Pulumi.$stack.yaml on either revision" >&2
    exit 1
  fi
  synth base "$base_dir" "$stack" "$work/base-$stack.json"
  synth head "$head_dir" "$stack" "$work/head-$stack.json"
  status=0
  (cd "$head_dir" && "$head_python" -m tools.diff "$work/base-$stack.json" "$work/head-$stack.json" \
    --markdown --title "Stack $stack" --max-chars "$budget") >"$work/section.md" 2>"$work/error" || status=$?
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
  # The job log gets the whole diff as text: the comment may be cut to fit, the log never is.
  echo "=== Stack $stack ==="
  (cd "$head_dir" && "$head_python" -m tools.diff "$work/base-$stack.json" "$work/head-$stack.json") || true
done

if [ "$(wc -c <"$work/body.md")" -gt "$COMMENT_LIMIT" ]; then
  # Whole lines only: a cut inside a table row or a multi-byte character would garble the comment.
  head -c "$COMMENT_LIMIT" "$work/body.md" | sed '$d' >"$out_file"
  printf '\n\n… cut to fit a comment: the full diff is in the log of the job that wrote it.\n' >>"$out_file"
else
  cp "$work/body.md" "$out_file"
fi
