#!/bin/bash
# Session 33, run4 (one H200): document masking against FlexAttention, same process
# (bench/document_mask.py), with the library before (build-exp = HEAD~1, tile
# analysis blind to tensor elements) and after (build-lead = HEAD: loads over a tile read
# up to 256 elements); then gpu_fwd on HEAD (its document cases among them).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
for lib in exp lead; do
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 200 \
    python3 bench/document_mask.py --out $OUT/$lib > $OUT/logs/bench_$lib.txt 2>&1
  echo "bench $lib rc $?"; tail -8 $OUT/logs/bench_$lib.txt
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 200 ./fadsl_tests gpu_fwd > $OUT/logs/gpu_fwd.txt 2>&1; echo "gpu_fwd rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_fwd.txt | head -10
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
