#!/bin/bash
# Builds what next_session.sh carries: build-lead (this tree), build-tma (a worktree of
# HEAD with fa3_tma.diff: fa3_fwd's dense K/V tiles by TMA, one box a tile from one producer
# thread, FADSL_NO_FWD_TMA=1 switching back to the copies at each launch) and build-fp8b (HEAD
# with fa3_fp8_d256.diff: fp8 caches at d256 in two 16-bit stages and one byte stage instead
# of one and two). Build folders are ignored through .gitignore's /build*/. From the repo
# root:
#   bash bench/results/2026-11-30-h200-session39/prepare_builds.sh
set -euo pipefail
here=$PWD/bench/results/2026-11-30-h200-session39
cmake -S . -B build-lead -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-lead -j"$(nproc)" > /dev/null
build_patched() { # build-dir worktree diff
    git worktree remove --force "$2" 2> /dev/null || rm -rf "$2"
    git worktree prune
    git worktree add --detach "$2" HEAD > /dev/null 2>&1
    git -C "$2" apply "$here/$3"
    rm -rf "$1"
    cmake -S "$2" -B "$1" -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build "$1" -j"$(nproc)" > /dev/null
}
build_patched build-tma /tmp/fadsl-wt-tma fa3_tma.diff
build_patched build-fp8b /tmp/fadsl-wt-fp8b fa3_fp8_d256.diff
echo "build-lead: HEAD; build-tma: HEAD + fa3_tma.diff; build-fp8b: HEAD + fa3_fp8_d256.diff"
