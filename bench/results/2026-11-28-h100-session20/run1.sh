#!/bin/bash
# Session 20 run 1 (H100): the GPU suites and the Python tests on HEAD's kernels, whose paged
# kernels check each block-table entry they look up.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
cd build-lead
FADSL_CACHE_DIR=/tmp/fc1 ./fadsl_tests rt_gpu gpu_checks gpu_paged > $OUT/gpu_suites.txt 2>&1
grep -E "FAIL|within bounds|Run Summary|suites|tests|asserts" $OUT/gpu_suites.txt | cut -c1-160
cd ..
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc2 python3 -m pytest -q python/tests > $OUT/py.txt 2>&1
tail -3 $OUT/py.txt
