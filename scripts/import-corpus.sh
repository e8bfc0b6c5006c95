#!/usr/bin/env bash
# Replays the commits of a corpus repository (a git bundle or a clone in the
# legalize-jp layout) into this repository under a folder, one commit per
# amendment, keeping each commit's author, dates and message. Texts are copied
# byte for byte: the import must never edit regulation text.
#
#   scripts/import-corpus.sh PATH-TO-BUNDLE-OR-REPO [DEST=regulations]
set -euo pipefail
src=${1:?usage: import-corpus.sh BUNDLE-OR-REPO [DEST]}
dest=${2:-regulations}
top=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-checkout -- "$src" "$work/src"
cd "$top"
if [ -n "$(git status --porcelain -- "$dest")" ]; then
  echo "import-corpus: $dest has uncommitted changes; commit or stash them first" >&2
  exit 2
fi
for c in $(git -C "$work/src" rev-list --reverse --first-parent HEAD); do
  # --no-renames: a rename is replayed as the delete and add it is on disk
  git -C "$work/src" diff-tree --root --no-commit-id -r --no-renames --name-status -z "$c" |
  while IFS= read -r -d '' status && IFS= read -r -d '' path; do
    case "$status" in
      D) git rm --quiet -- "$dest/$path" ;;
      *) mkdir -p "$(dirname "$dest/$path")"
         git -C "$work/src" cat-file blob "$c:$path" > "$dest/$path"
         git add -- "$dest/$path" ;;
    esac
  done
  GIT_AUTHOR_NAME=$(git -C "$work/src" log -1 --format=%an "$c") \
  GIT_AUTHOR_EMAIL=$(git -C "$work/src" log -1 --format=%ae "$c") \
  GIT_AUTHOR_DATE=$(git -C "$work/src" log -1 --format=%ad --date=raw "$c") \
  GIT_COMMITTER_NAME=$(git -C "$work/src" log -1 --format=%cn "$c") \
  GIT_COMMITTER_EMAIL=$(git -C "$work/src" log -1 --format=%ce "$c") \
  GIT_COMMITTER_DATE=$(git -C "$work/src" log -1 --format=%cd --date=raw "$c") \
    git commit --quiet --allow-empty --no-verify -F <(git -C "$work/src" log -1 --format=%B "$c")
done
echo "import-corpus: replayed $(git -C "$work/src" rev-list --count HEAD) commits into $dest/"
