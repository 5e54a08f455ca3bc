#!/bin/bash
# Session 34, run1 (one H200): the sm_90a forward kernel's tile scan (FA_TILE_SCAN: key tiles
# classified once per row tile by scanning tensor loads, EMPTY ones skipped by producer and
# consumers). Document masking against FlexAttention (bench/document_mask.py, one process)
# with build-exp (HEAD before the scan) and build-lead (the scan); then gpu_fwd and gpu_paged
# on build-lead.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
for lib in exp lead; do
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 200 \
    python3 bench/document_mask.py --out $OUT/$lib > $OUT/logs/bench_$lib.txt 2>&1
  echo "bench $lib rc $?"; tail -8 $OUT/logs/bench_$lib.txt
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 300 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
