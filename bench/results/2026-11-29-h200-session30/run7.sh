#!/bin/bash
# Session 30, run7: the Python GPU tests on the sink-tile fix (paged, split, sinks) and
# gpu_random over 2761-2880 (seed 2794 among them) in four processes. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc-py
timeout 170 python3 -m pytest -q -p no:cacheprovider python/tests -k "split or paged or sink" > $OUT/py.txt 2>&1; echo "py rc $?: $(tail -1 $OUT/py.txt)"
export FADSL_CACHE_DIR=/tmp/fc-random
for s in 2761 2791 2821 2851; do
  (FA_GPU_RANDOM_CASES=30 FA_GPU_RANDOM_SEED=$s timeout 60 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/gpu_random_*.txt | grep -v "^fadsl:" | head -30
gzip $OUT/*.txt
