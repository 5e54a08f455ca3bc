#!/bin/bash
# Session 31, run1: session 30's unrun commits (after 3d98529: the tile list in fa_tile_rules.h,
# the distance-form sliding_window, the request validations) on the GPU: next_h100.sh a
# (gpu_paged, gpu_fwd, pytest split/paged), then gpu_random over new seeds 3001-3120 in four
# processes. build-lead = HEAD.
set -u
bash bench/results/2026-11-29-h200-session28/next_h100.sh a
mkdir -p $OUT/random
export FADSL_CACHE_DIR=/tmp/fc-random
for s in 3001 3031 3061 3091; do
  (FA_GPU_RANDOM_CASES=30 FA_GPU_RANDOM_SEED=$s timeout 100 ./build-lead/fadsl_tests gpu_random > $OUT/random/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/random/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/random/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/random/gpu_random_*.txt | grep -v "^fadsl:" | head -30
gzip $OUT/random/*.txt
