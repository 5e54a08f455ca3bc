#!/bin/bash
# Session 25 run 3: gpu_random with packed queries in half the paged cases (sequences after
# the first 0..T new tokens, cu_seqlens_q): seeds 1-720 in eight parallel shards.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
mkdir -p $OUT/logs
for s in 1 91 181 271 361 451 541 631; do
  (FA_GPU_RANDOM_CASES=90 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -60
echo "packed paged cases (ok / all):"
grep -h "seed .* paged .* packed" $OUT/logs/gpu_random_*.txt | grep -c "^  ok"
grep -h "seed .* paged .* packed" $OUT/logs/gpu_random_*.txt | wc -l
cd $OUT && tar czf logs.tgz logs && rm -rf logs
