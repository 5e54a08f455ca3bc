#!/bin/bash
# Session 30, run5: the LSE bound of the GPU suites (tests/testutil.h: fa_lse_error) on
# gpu_random seed 2097, which failed in run4; then more random requests on seeds no run drew:
# the Python fuzz over 2520-3799 (16 processes) and gpu_random over 2481-2960 (four).
# build-lead = HEAD. From the repo root, $OUT set.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fc-random
FA_GPU_RANDOM_CASES=1 FA_GPU_RANDOM_SEED=2097 timeout 60 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_2097.txt 2>&1
echo "seed 2097 rc $?"; grep -h "seed 2097\|within bounds" $OUT/gpu_random_2097.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc-fuzz FADSL_FUZZ_CASES=1280 FADSL_FUZZ_SEED=2520
T=$(mktemp -d)
for i in $(seq 0 15); do
  FADSL_FUZZ_SHARD=$i/16 timeout 250 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $T/f_$i.txt 2>&1 &
done
wait
for i in $(seq 0 15); do echo "== shard $i/16"; cat $T/f_$i.txt; done > $OUT/fuzz.txt
grep -E "passed|failed" $OUT/fuzz.txt
grep -B2 -A3 "request:" $OUT/fuzz.txt | head -40
export FADSL_CACHE_DIR=/tmp/fc-random
for s in 2481 2601 2721 2841; do
  (FA_GPU_RANDOM_CASES=120 FA_GPU_RANDOM_SEED=$s timeout 200 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_2[4-9]*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -60
gzip $OUT/*.txt
