#!/bin/bash
# Session 32, run6: the review fixes on the GPU: rt_gpu (merges in 72 live contexts),
# gpu_fwd + gpu_checks, gpu_random over new seeds 3841-3960, the Python device/document/
# variant tests, and index_cost.py again (k in kv_len no longer checked): HEAD (build-lead)
# against 7a60c9a (build-exp), alternated, two rounds.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
D=bench/results/2026-11-29-h200-session32
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for s in 3841 3901; do
  (FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=60 FA_GPU_RANDOM_SEED=$s timeout 300 \
     ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 300 ./fadsl_tests rt_gpu gpu_fwd gpu_checks > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "contexts\|within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | cut -c1-200 | head -20
FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 150 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py \
  -k "every_device or variants or document or runtime_errors" > $OUT/logs/py.txt 2>&1; echo "py: $(tail -1 $OUT/logs/py.txt)"
grep -A30 "^____" $OUT/logs/py.txt | head -30
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -30
export FADSL_CACHE_DIR=/tmp/fc-cost
for r in 1 2; do
  for b in build-exp build-lead; do
    FADSL_LIBRARY=$PWD/$b/libfadsl.so timeout 100 python3 $D/index_cost.py 2>/dev/null | tee -a $OUT/index_cost.jsonl
  done
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
