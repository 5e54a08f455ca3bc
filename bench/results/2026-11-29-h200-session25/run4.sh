#!/bin/bash
# Session 25 run 4: gpu_random with a random softmax scale in half the cases (0.5, 1.5 or 2
# times 1/sqrt(D)) besides packed paged queries: seeds 721-1440 in eight parallel shards.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
mkdir -p $OUT/logs
for s in 721 811 901 991 1081 1171 1261 1351; do
  (FA_GPU_RANDOM_CASES=90 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -60
echo "packed paged cases (ok / all):"
grep -h "seed .* paged .* packed" $OUT/logs/gpu_random_*.txt | grep -c "^  ok"
grep -h "seed .* paged .* packed" $OUT/logs/gpu_random_*.txt | wc -l
echo "cases with a softmax scale (ok / all):"
grep -h "seed .* scale " $OUT/logs/gpu_random_*.txt | grep -c "^  ok"
grep -h "seed .* scale " $OUT/logs/gpu_random_*.txt | wc -l
cd $OUT && tar czf logs.tgz logs && rm -rf logs
