#!/bin/bash
# Session 25 run 2: gpu_random with the RMS floor, seeds 361-1080 (385 included) in eight
# parallel shards; then the other GPU suites (rt_gpu, gpu_checks, gpu_fwd, gpu_paged) after
# the decode planner change.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
for s in 361 451 541 631 721 811 901 991; do
  (FA_GPU_RANDOM_CASES=90 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
grep -h "seed 385 " $OUT/gpu_random_*.txt
grep -ho " sm_8[069] " $OUT/gpu_random_*.txt | sort | uniq -c
echo "paged d192/d256 cases on sm_86/sm_89 PTX (ok / all):"
grep -h "seed .* paged .* hd\(192\|256\) .* sm_8[69] " $OUT/gpu_random_*.txt | grep -c "^  ok"
grep -h "seed .* paged .* hd\(192\|256\) .* sm_8[69] " $OUT/gpu_random_*.txt | wc -l
./build-lead/fadsl_tests rt_gpu gpu_checks gpu_fwd gpu_paged > $OUT/gpu_suites.txt 2>&1; echo "suites rc $?"
grep -c "^  ok" $OUT/gpu_suites.txt; grep "FAIL" $OUT/gpu_suites.txt | head; tail -8 $OUT/gpu_suites.txt
