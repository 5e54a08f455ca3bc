#!/bin/bash
# Session 33, run3 (one H200): HEAD after the review fixes (the IR and variant_gen evaluators
# flush float results below 2^-126, as the kernels do): gpu_random over new seeds 4201-4440
# in four processes, with rt_gpu and gpu_checks alongside. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for s in 4201 4261 4321 4381; do
  (FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s timeout 300 \
     ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
(FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 300 ./build-lead/fadsl_tests rt_gpu gpu_checks > $OUT/logs/rt_gpu.txt 2>&1; echo "rc $?" >> $OUT/logs/rt_gpu.txt) &
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -30
grep -h "contexts\|skipped\|FAIL\|passed, \|failed\|^rc" $OUT/logs/rt_gpu.txt | head -12
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
