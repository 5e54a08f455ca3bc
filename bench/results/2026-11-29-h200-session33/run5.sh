#!/bin/bash
# Session 33, run5 (one H200): HEAD, whose tile classes read a load's elements a warp at a
# time (fa_av_load_scan_i32): document masking against FlexAttention in one process, then
# gpu_fwd, gpu_paged, gpu_random over new seeds 4441-4560 and the Python document tests.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
FADSL_CACHE_DIR=/tmp/fc-lead timeout 150 python3 bench/document_mask.py --out $OUT/lead > $OUT/logs/bench.txt 2>&1
echo "bench rc $?"; tail -6 $OUT/logs/bench.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 330 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -10
FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=120 FA_GPU_RANDOM_SEED=4441 timeout 100 \
  ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random.txt 2>&1; echo "gpu_random rc $?"
grep -h "within bounds" $OUT/logs/gpu_random.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
