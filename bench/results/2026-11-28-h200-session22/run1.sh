#!/bin/bash
# Session 22 run 1, after the review fixes (bb3abe3: output-overlap and paged-stride
# refusals, type checks before the context): the GPU suites other than gpu_paged, then the
# whole Python suite, so any false refusal of a real request shows.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc1 timeout 240 ./fadsl_tests rt_gpu gpu_checks gpu_fwd > $OUT/gpu_suites.txt 2>&1; echo "suites rc $?")
grep -E "FAIL|Run Summary|suites|tests |asserts|Elapsed" $OUT/gpu_suites.txt | cut -c1-160
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc2 timeout 300 python3 -m pytest -q python/tests > $OUT/py.txt 2>&1
echo "pytest rc $?"; tail -3 $OUT/py.txt
