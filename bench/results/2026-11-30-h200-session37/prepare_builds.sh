#!/bin/bash
# Builds what next_session.sh carries: build-lead (this tree) and build-p192 (a worktree of
# HEAD with fa3_paged_d192.diff: paged d192 caches on fa3_fwd too, NHD rows of 24 chunks
# copied by 96 of the 128 producer threads, fp8 caches in blocks of up to 64 keys). The build folders are ignored through
# .git/info/exclude. From the repo root:
#   bash bench/results/2026-11-30-h200-session37/prepare_builds.sh
set -euo pipefail
here=bench/results/2026-11-30-h200-session37
for b in build-lead build-p192; do
    grep -qx "$b/" .git/info/exclude || echo "$b/" >> .git/info/exclude
done
cmake -S . -B build-lead -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-lead -j"$(nproc)" > /dev/null
wt=/tmp/fadsl-wt-p192
git worktree remove --force "$wt" 2> /dev/null || rm -rf "$wt"
git worktree prune
git worktree add --detach "$wt" HEAD > /dev/null 2>&1
git -C "$wt" apply "$PWD/$here/fa3_paged_d192.diff"
rm -rf build-p192
cmake -S "$wt" -B build-p192 -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-p192 -j"$(nproc)" > /dev/null
echo "build-lead: HEAD; build-p192: HEAD + fa3_paged_d192.diff"
