#!/usr/bin/env bash
# make repro-check: build the Linux binary twice, from two copies of the commit in different
# folders and with separate build caches, and require the same bytes.
source "$(dirname "$0")/common.sh"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
for i in 1 2; do
  git -C "$repo" worktree add -q --detach "$work/src-$i" HEAD
  # The first build may use the usual cache; the second starts from an empty one.
  cache=$(go env GOCACHE)
  [[ $i == 2 ]] && cache=$work/cache
  ( cd "$work/src-$i" && GOCACHE=$cache build_linux "$work/handover-$i" )
  git -C "$repo" worktree remove --force "$work/src-$i"
done
a=$(sha256sum <"$work/handover-1" | cut -d' ' -f1)
b=$(sha256sum <"$work/handover-2" | cut -d' ' -f1)
if [[ $a != "$b" ]]; then
  echo "repro-check: FAILED: two builds of $commit differ ($a, $b)"
  exit 1
fi
echo "repro-check: two builds of $commit from different folders and caches are identical: $a"
