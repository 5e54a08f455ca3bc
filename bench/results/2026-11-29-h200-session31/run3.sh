#!/bin/bash
# Session 31, run3: the max_seqlen_q overrun fix (decode: NaN rows, no partial past its row;
# forward templates: NaN rows) and the test_args regex fix on the GPU: gpu_paged (160 cases,
# 6 of them overruns, 4 KiB guard past every workspace), gpu_checks, gpu_fwd; the Python
# paged/split/varlen/packed tests; gpu_random over new seeds 3121-3240. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-h100-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
(cd build-lead && timeout 330 ./fadsl_tests gpu_paged gpu_checks gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed\|rows above" $OUT/logs/gpu.txt | head -20
timeout 120 python3 -m pytest -q -p no:cacheprovider python/tests -k "split or paged or varlen or packed or max_seqlen or args" > $OUT/logs/py.txt 2>&1; echo "py: $(tail -1 $OUT/logs/py.txt)"
grep -A30 "^____" $OUT/logs/py.txt | head -40
export FADSL_CACHE_DIR=/tmp/fc-random
for s in 3121 3151 3181 3211; do
  (FA_GPU_RANDOM_CASES=30 FA_GPU_RANDOM_SEED=$s timeout 60 ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -30
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
