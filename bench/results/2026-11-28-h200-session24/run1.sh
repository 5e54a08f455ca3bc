#!/bin/bash
# Session 24 run 1: random variants (tests/variant_gen.h, VG_TAME) on the GPU against the
# float64 reference (suite gpu_random), 120 cases in two shards of seeds.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=1 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_1_60.txt 2>&1
echo "rc $?" >> $OUT/gpu_random_1_60.txt
FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=61 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_61_120.txt 2>&1
echo "rc $?" >> $OUT/gpu_random_61_120.txt
grep -c "^  ok" $OUT/gpu_random_*.txt; grep -A12 "FAIL" $OUT/gpu_random_*.txt | head -80; tail -4 $OUT/gpu_random_*.txt
