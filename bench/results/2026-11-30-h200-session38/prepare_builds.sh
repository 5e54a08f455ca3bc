#!/bin/bash
# Builds what next_session.sh carries: build-lead (this tree), build-d96 (a worktree of HEAD
# with fa3_d96.diff: dense/varlen d96 on the Hopper template in d128's tiles, P.V n128) and
# build-d96b (fa3_d96.diff + fa3_d96_pv96.diff: P.V n96 over the same tiles) and build-pu4
# (fa3_paged_unroll4.diff: the paged NHD copy unrolled as the dense one) and build-m192
# (fa3_d64_m192.diff: d64 light variants without a score in 192-row tiles), and build-all
# (all_three.diff: fa3_d96, fa3_paged_unroll4 and fa3_d64_m192 together). Build folders
# are ignored through .gitignore's /build*/. From the repo root:
#   bash bench/results/2026-11-30-h200-session38/prepare_builds.sh
set -euo pipefail
here=$PWD/bench/results/2026-11-30-h200-session38
cmake -S . -B build-lead -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build build-lead -j"$(nproc)" > /dev/null
build_patched() { # build-dir worktree diff...
    local out=$1 wt=$2
    shift 2
    git worktree remove --force "$wt" 2> /dev/null || rm -rf "$wt"
    git worktree prune
    git worktree add --detach "$wt" HEAD > /dev/null 2>&1
    for d in "$@"; do git -C "$wt" apply "$here/$d"; done
    rm -rf "$out"
    cmake -S "$wt" -B "$out" -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build "$out" -j"$(nproc)" > /dev/null
}
build_patched build-d96 /tmp/fadsl-wt-d96a fa3_d96.diff
build_patched build-d96b /tmp/fadsl-wt-d96b fa3_d96.diff fa3_d96_pv96.diff
build_patched build-pu4 /tmp/fadsl-wt-pu4 fa3_paged_unroll4.diff
build_patched build-m192 /tmp/fadsl-wt-m192 fa3_d64_m192.diff
build_patched build-all /tmp/fadsl-wt-all all_three.diff
echo "build-lead: HEAD; build-d96: + fa3_d96.diff; build-d96b: + fa3_d96_pv96.diff; build-pu4: + fa3_paged_unroll4.diff;" \
    "build-m192: + fa3_d64_m192.diff; build-all: + all_three.diff"
