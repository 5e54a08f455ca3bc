#!/bin/bash
# Builds, on the build machine, what next_session.sh carries to the device: build-lead (this
# tree) and, each from a worktree of HEAD with one of this folder's diffs applied, build-exp
# (early_k_all.diff), build-probe (dense_rows_probe.diff) and build-n80 (fa3_d256_n80.diff).
# The build folders are ignored through .git/info/exclude. From the repo root:
#   bash bench/results/2026-11-30-h200-session36/prepare_builds.sh [exp] [probe] [n80]
set -euo pipefail
here=bench/results/2026-11-30-h200-session36
for b in build-lead build-exp build-probe build-n80; do
    grep -qx "$b/" .git/info/exclude || echo "$b/" >> .git/info/exclude
done
cmake -S . -B build-lead -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-lead -j"$(nproc)" > /dev/null
declare -A diffs=([exp]=early_k_all.diff [probe]=dense_rows_probe.diff [n80]=fa3_d256_n80.diff)
names=("$@")
[ $# -gt 0 ] || names=(exp probe n80)
for n in "${names[@]}"; do
    wt=/tmp/fadsl-wt-$n
    git worktree remove --force "$wt" 2> /dev/null || rm -rf "$wt"
    git worktree prune # a worktree whose folder went with /tmp
    git worktree add --detach "$wt" HEAD > /dev/null 2>&1
    git -C "$wt" apply "$PWD/$here/${diffs[$n]}"
    rm -rf "build-$n" # a build of another source folder cannot be reconfigured
    cmake -S "$wt" -B "build-$n" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "build-$n" -j"$(nproc)" > /dev/null
    echo "build-$n: HEAD + ${diffs[$n]}"
done
