#!/bin/bash
# Session 22 run 2: the paged suite after the review fixes (bb3abe3).
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc3 timeout 400 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -E "FAIL|within bounds|Run Summary|suites|tests |asserts" $OUT/gpu_paged.txt | cut -c1-160
