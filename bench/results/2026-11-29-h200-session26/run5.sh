#!/bin/bash
# Session 26 run 5: the row limits by head dim (d64 up to 256 rows, d96 96) on the GPU:
# gpu_fwd (every case checks its route), gpu_random seeds 361-720 in four shards, and the
# Python suite.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
./build-lead/fadsl_tests gpu_fwd > $OUT/gpu_fwd.txt 2>&1; echo "gpu_fwd rc $?"
grep "within bounds\|FAIL" $OUT/gpu_fwd.txt | head; grep -A4 "Run Summary" $OUT/gpu_fwd.txt
mkdir -p $OUT/logs
(python3 -m pytest -q python/tests > $OUT/py.txt 2>&1; echo "py rc $?" >> $OUT/py.txt) &
for s in 361 451 541 631; do
  (FA_GPU_RANDOM_CASES=90 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
wait
tail -2 $OUT/py.txt
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -40
echo "dense/packed cases on the decode template (ok / all), with a workspace:"
grep -h "^  ok .* dec" $OUT/logs/gpu_random_*.txt | wc -l; grep -h "seed .* dec" $OUT/logs/gpu_random_*.txt | wc -l
grep -h "seed .* dec ws" $OUT/logs/gpu_random_*.txt | wc -l
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
