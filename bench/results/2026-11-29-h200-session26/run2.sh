#!/bin/bash
# Session 26 run 2: dense decode correctness. The GPU suites (gpu_fwd now has dense_decode:
# 1-5 query tokens on the decode template, split and unsplit), the Python suite (dense
# decode split/packed/graph tests among it) and gpu_random seeds 1-360, whose dense and
# packed launches of few query rows now take the decode template.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
./build-lead/fadsl_tests rt_gpu gpu_checks gpu_fwd gpu_paged > $OUT/gpu_suites.txt 2>&1; echo "suites rc $?"
grep "within bounds\|FAIL\|forward failed" $OUT/gpu_suites.txt | head -20; grep -A4 "Run Summary" $OUT/gpu_suites.txt
mkdir -p $OUT/logs
(python3 -m pytest -q python/tests > $OUT/py.txt 2>&1; echo "py rc $?" >> $OUT/py.txt) &
for s in 1 91 181 271; do
  (FA_GPU_RANDOM_CASES=90 FA_GPU_RANDOM_SEED=$s ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1;
   echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
wait
tail -3 $OUT/py.txt; grep -h "FAILED\|Error" $OUT/py.txt | head -20
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -40
echo "dense/packed cases on the decode template (ok / all), with a workspace:"
grep -h "^  ok .* dec" $OUT/logs/gpu_random_*.txt | wc -l; grep -h "seed .* dec" $OUT/logs/gpu_random_*.txt | wc -l
grep -h "seed .* dec ws" $OUT/logs/gpu_random_*.txt | wc -l
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
