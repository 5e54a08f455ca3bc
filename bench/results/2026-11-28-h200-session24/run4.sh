#!/bin/bash
# Session 24 run 4: gpu_random with fp8 caches (per-tensor and per-head descales), the
# requested workspace (split decodes) and sequences up to 8000 keys: 240 cases (seeds
# 1-240) in four parallel shards; then gpu_paged (its fp8 decoder moved to tests/ref.c).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
for s in 1 61 121 181; do
  (FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
./build-lead/fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?"
grep -c "^  ok" $OUT/gpu_paged.txt; grep "FAIL" $OUT/gpu_paged.txt | head
