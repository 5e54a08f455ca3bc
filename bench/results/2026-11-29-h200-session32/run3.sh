#!/bin/bash
# Session 32, run3: tensor indices checked per dimension (the emitted select before each
# multi-dimensional load), the literal-index and float-literal checks, the diagnostics
# limit: gpu_fwd (document, prefix_lm... against the reference), gpu_paged, gpu_checks, and
# gpu_random over new seeds 3601-3840 meanwhile. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for s in 3601 3661 3721 3781; do
  (FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s timeout 400 \
     ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 450 ./fadsl_tests gpu_fwd gpu_paged gpu_checks > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -40
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
