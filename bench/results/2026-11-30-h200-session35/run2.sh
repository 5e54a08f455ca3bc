#!/bin/bash
# Session 35, run2 (one H200): gpu_fwd and gpu_paged on build-lead (fa2_fwd with the tile
# scan: document at d96/d192/d256 takes it on Hopper), then gpu_random seeds from $1.
set -u
mkdir -p $OUT/logs
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 330 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
(cd build-lead && FA_GPU_RANDOM_SEED=$1 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 150 ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
tail -5 $OUT/logs/random.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
