#!/bin/bash
# Builds what next_session.sh carries: build-lead (this tree) and build-tma (a worktree of
# HEAD with fa3_tma.diff: fa3_fwd's dense K/V tiles by TMA, one box a tile from one producer
# thread, FADSL_NO_TMA=1 switching back to the copies at each launch). Build folders are
# ignored through .gitignore's /build*/. From the repo root:
#   bash bench/results/2026-11-30-h200-session39/prepare_builds.sh
set -euo pipefail
here=$PWD/bench/results/2026-11-30-h200-session39
cmake -S . -B build-lead -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-lead -j"$(nproc)" > /dev/null
wt=/tmp/fadsl-wt-tma
git worktree remove --force "$wt" 2> /dev/null || rm -rf "$wt"
git worktree prune
git worktree add --detach "$wt" HEAD > /dev/null 2>&1
git -C "$wt" apply "$here/fa3_tma.diff"
rm -rf build-tma
cmake -S "$wt" -B build-tma -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-tma -j"$(nproc)" > /dev/null
echo "build-lead: HEAD; build-tma: HEAD + fa3_tma.diff"
