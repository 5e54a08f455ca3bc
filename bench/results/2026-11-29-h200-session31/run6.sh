#!/bin/bash
# Session 31, run6: the Python binding's fixes (broadcast q/k/v copied, int32 bounds, library
# path, error types) on the GPU: every Python test but the fuzz, then gpu_checks. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
timeout 230 python3 -m pytest -q -p no:cacheprovider python/tests --ignore=python/tests/test_gpu_fuzz.py > $OUT/py.txt 2>&1
echo "py rc $?: $(tail -1 $OUT/py.txt)"
grep -A25 "^____" $OUT/py.txt | head -50
(cd build-lead && timeout 60 ./fadsl_tests gpu_checks > $OUT/gpu_checks.txt 2>&1; echo "gpu_checks rc $?: $(tail -1 $OUT/gpu_checks.txt)")
gzip $OUT/*.txt
