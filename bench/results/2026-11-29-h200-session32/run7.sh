#!/bin/bash
# Session 32, run7: randomised correctness on HEAD over seeds no earlier run drew: gpu_random
# 3961-4200 in four processes and the Python fuzz 4760-5079 in 16, at once. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for s in 3961 4021 4081 4141; do
  (FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s timeout 280 \
     ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
export FADSL_CACHE_DIR=/tmp/fc-fuzz FADSL_FUZZ_CASES=320 FADSL_FUZZ_SEED=4760
for i in $(seq 0 15); do
  FADSL_FUZZ_SHARD=$i/16 timeout 280 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $OUT/logs/f_$i.txt 2>&1 &
done
wait
for i in $(seq 0 15); do tail -1 $OUT/logs/f_$i.txt; done | sed 's/ in .*//' | sort | uniq -c
grep -h -B2 -A3 "request:" $OUT/logs/f_*.txt | head -30
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -30
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
