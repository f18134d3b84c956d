// One pull-request comment per purpose, edited in place: found by the HTML marker on its first line, among
// comments written by a bot (a person quoting the marker is never edited). Loaded by actions/github-script:
//
//   const { upsertComment } = require(`${process.env.GITHUB_WORKSPACE}/.github/scripts/pr_comment.cjs`);
//   await upsertComment({ github, context, marker: '<!-- synth-diff -->', body });
//
// markOutdated rewrites an existing comment so it no longer looks current once a newer commit is pushed:
// the preview of that commit may wait for tests and an approval, and until it runs the old result must say
// which commit it describes.
'use strict';

const LIMIT = 65536; // GitHub refuses longer comments.
const PREVIOUS = '<details><summary>The previous result, for an older commit</summary>\n\n';

async function findComment({ github, context, marker }) {
  const { owner, repo } = context.repo;
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number: context.issue.number,
    per_page: 100,
  });
  return comments.find(
    (comment) => comment.user?.type === 'Bot' && (comment.body ?? '').startsWith(marker),
  );
}

async function upsertComment({ github, context, marker, body }) {
  if (!body.startsWith(marker)) {
    throw new Error(`the comment body must start with its marker ${marker}`);
  }
  const { owner, repo } = context.repo;
  const previous = await findComment({ github, context, marker });
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
    return 'updated';
  }
  await github.rest.issues.createComment({ owner, repo, issue_number: context.issue.number, body });
  return 'created';
}

async function markOutdated({ github, context, marker, sha, note }) {
  const previous = await findComment({ github, context, marker });
  if (!previous || previous.body.includes(`<!-- outdated-by:${sha} -->`)) {
    return 'unchanged';
  }
  let old = previous.body.slice(marker.length).replace(/^\n+/, '');
  if (old.startsWith('<!-- outdated-by:')) {
    // Outdated twice: keep the result itself, not a stack of notices.
    const start = old.indexOf(PREVIOUS);
    old = start >= 0 ? old.slice(start + PREVIOUS.length).replace(/\n\n<\/details>\n$/, '') : old;
  }
  const head = [
    marker,
    `<!-- outdated-by:${sha} -->`,
    `#### ⏳ Outdated: commit \`${sha.slice(0, 12)}\` was pushed since this preview`,
    '',
    note,
    '',
    PREVIOUS,
  ].join('\n');
  const tail = '\n\n</details>\n';
  const room = LIMIT - 1000 - head.length - tail.length;
  const kept = old.length > room ? `${old.slice(0, room)}\n\n… (cut)` : old;
  const { owner, repo } = context.repo;
  await github.rest.issues.updateComment({
    owner,
    repo,
    comment_id: previous.id,
    body: head + kept + tail,
  });
  return 'outdated';
}

module.exports = { findComment, upsertComment, markOutdated };
