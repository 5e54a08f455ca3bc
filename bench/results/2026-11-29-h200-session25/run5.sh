#!/bin/bash
# Session 25 run 5: compute-sanitizer memcheck and racecheck on gpu_random cases that run
# the halved decode tiles as PTX (sm_86/sm_89 d192/d256, sm_80 HDB fp8 d256): one case a
# seed, each tool in its own process.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LOG=0
mkdir -p $OUT/logs
# compile every kernel first, outside the sanitizer
for s in 1 180 182 215 383 409 410 560; do
  FA_GPU_RANDOM_CASES=1 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/logs/plain_$s.txt 2>&1 &
done
wait
grep -h "seed" $OUT/logs/plain_*.txt | cut -c1-160
for tool in memcheck racecheck; do
  for s in 1 180 182 215 383 409 410 560; do
    (FA_GPU_RANDOM_CASES=1 FA_GPU_RANDOM_SEED=$s timeout 180 compute-sanitizer --tool $tool --error-exitcode 9 \
        ./build-lead/fadsl_tests gpu_random > $OUT/logs/${tool}_$s.txt 2>&1; echo "$tool seed $s rc $?") &
  done
  wait
done
grep -h "ERROR SUMMARY\|RACECHECK SUMMARY" $OUT/logs/*check_*.txt | sort | uniq -c
cd $OUT && tar czf logs.tgz logs && rm -rf logs
