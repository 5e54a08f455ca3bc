#!/bin/bash
# Session 21 run 2 (H100 named; run 1 came on an H200): chunked prefill with 8fa74f5's library
# (before the block-table entry check) and HEAD's, alternating, twice each; then the other GPU
# suites and the whole Python suite on HEAD.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
for rep in 1 2; do
  for lib in old new; do
    so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
    FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fd$lib python3 bench/chunked_prefill.py > $OUT/chunk_${lib}_$rep.txt 2>&1
    echo "== chunks $lib $rep"; grep -E "dense" $OUT/chunk_${lib}_$rep.txt
  done
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc3 ./fadsl_tests rt_gpu gpu_checks > $OUT/gpu_suites.txt 2>&1)
grep -E "FAIL|within bounds|Run Summary|suites|tests|asserts" $OUT/gpu_suites.txt | cut -c1-160
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc4 python3 -m pytest -q python/tests > $OUT/py.txt 2>&1
tail -3 $OUT/py.txt
