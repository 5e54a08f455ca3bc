#!/bin/bash
# Session 25 run 1: gpu_random after the decode plans that fit sm_86/sm_89 (d192, d256)
# and sm_80 fp8 HDB d256 (tile keys and warps halved): 480 cases (seeds 1-480; a third
# on sm_80, sm_86 or sm_89 PTX, head dims now including 192) in four parallel shards.
# Seed 180 is session 24 run 4's refused case (HDB fp8 d256 on sm_80).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
for s in 1 121 241 361; do
  (FA_GPU_RANDOM_CASES=120 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
grep -h "seed 180 " $OUT/gpu_random_*.txt
grep -ho " sm_8[069]" $OUT/gpu_random_*.txt | sort | uniq -c
echo "paged d192/d256 cases on sm_86/sm_89 PTX (ok / all):"
grep -h "seed .* paged .* hd\(192\|256\) .* sm_8[69] " $OUT/gpu_random_*.txt | grep -c "^  ok"
grep -h "seed .* paged .* hd\(192\|256\) .* sm_8[69] " $OUT/gpu_random_*.txt | wc -l
