#!/bin/bash
# Session 24 run 3: gpu_random with cases redrawn until some pair is visible (and, in three of
# four, some hidden); a third on the sm_80 kernels; 240 cases (seeds 1-240), four shards.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
for s in 1 61 121 181; do
  (FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
