#!/bin/bash
# Session 31, run4: randomised correctness on HEAD over seeds no earlier run drew: the Python
# fuzz (paged and dense) over seeds 3800-4439 in 16 processes, then gpu_random (C) over
# 3241-3480 in four. build-lead = HEAD. From the repo root, $OUT set.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc-fuzz FADSL_FUZZ_CASES=640 FADSL_FUZZ_SEED=3800
T=$(mktemp -d)
for i in $(seq 0 15); do
  FADSL_FUZZ_SHARD=$i/16 timeout 250 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $T/f_$i.txt 2>&1 &
done
wait
for i in $(seq 0 15); do echo "== shard $i/16"; cat $T/f_$i.txt; done > $OUT/fuzz.txt
grep -E "passed|failed" $OUT/fuzz.txt
grep -B2 -A3 "request:" $OUT/fuzz.txt | head -40
export FADSL_CACHE_DIR=/tmp/fc-random
for s in 3241 3301 3361 3421; do
  (FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s timeout 150 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
gzip $OUT/*.txt
