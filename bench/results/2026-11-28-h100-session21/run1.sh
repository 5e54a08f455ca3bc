#!/bin/bash
# Session 21 run 1 (H100), after fa3_fwd's fp8 producers flag an out-of-range block-table entry
# through a shared word at once (session 20's fp8_producer_word.diff, applied unchanged): the
# Python bad-entry test (both layouts, decode and 300-token chunks, bf16 and fp8 caches),
# chunked prefill with 8fa74f5's library (before the entry check) and HEAD's, then the paged
# suite.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc1 python3 -m pytest -q python/tests/test_gpu.py \
  -k bad_block_table > $OUT/py_bad_entry.txt 2>&1; tail -2 $OUT/py_bad_entry.txt
for lib in old new; do
  so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
  FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fd$lib python3 bench/chunked_prefill.py > $OUT/chunk_$lib.txt 2>&1
  echo "== chunks $lib"; grep -E "dense" $OUT/chunk_$lib.txt
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc2 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1)
grep -E "FAIL|within bounds|asserts" $OUT/gpu_paged.txt | cut -c1-160
