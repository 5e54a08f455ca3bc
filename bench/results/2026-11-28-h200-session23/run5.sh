#!/bin/bash
# Session 23 run 5: split decodes merged by their last split (no merge kernel): every GPU C
# suite, then the fuzz (paged and dense) over 640 new seeds in 16 parallel processes.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc1 timeout 330 ./fadsl_tests gpu_paged rt_gpu gpu_checks gpu_fwd > $OUT/gpu_suites.txt 2>&1; echo "suites rc $?")
grep -E "FAIL|Run Summary|suites|tests |asserts|Elapsed|cases" $OUT/gpu_suites.txt | cut -c1-160 | tail -12
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc2 FADSL_FUZZ_CASES=640 FADSL_FUZZ_SEED=1240
T=$(mktemp -d)
for i in $(seq 0 15); do
  FADSL_FUZZ_SHARD=$i/16 timeout 200 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $T/f_$i.txt 2>&1 &
done
wait
for i in $(seq 0 15); do echo "== shard $i/16"; cat $T/f_$i.txt; done > $OUT/fuzz.txt
grep -E "passed|failed" $OUT/fuzz.txt
grep -B2 -A3 "request:" $OUT/fuzz.txt | head -40
