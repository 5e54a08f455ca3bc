#!/bin/bash
# Session 20 run 5 (H100), after fa3_fwd's fp8 producers flag a bad entry through a shared word
# at once (run 4: the register that carried it made them recompute threadIdx, HDB fp8 chunks
# 5% slower): the Python bad-entry test (both layouts, decode and 300-token chunks, bf16 and
# fp8 caches), then chunked prefill with 8fa74f5's library and HEAD's. No device time was left
# for the paged suite on this change. Prepared, not run: apply fp8_producer_word.diff and
# rebuild first (git apply bench/results/2026-11-28-h100-session20/fp8_producer_word.diff).
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc10 python3 -m pytest -q python/tests/test_gpu.py \
  -k bad_block_table > $OUT/py_bad_entry.txt 2>&1; tail -2 $OUT/py_bad_entry.txt
for lib in old new; do
  so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
  FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fd$lib python3 bench/chunked_prefill.py > $OUT/chunk_$lib.txt 2>&1
  echo "== chunks $lib"; grep -E "dense" $OUT/chunk_$lib.txt
done
