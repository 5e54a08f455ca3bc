#!/bin/bash
# Session 22 run 3, after 1da152a (merge.cuh writes the merged LSE in its last 128-wide
# chunk, so merging in place at head_dim 256 is right): the paged suite, whose merge test
# now runs at head_dim 256 into new buffers and in place, and rt_gpu.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc5 timeout 400 ./fadsl_tests gpu_paged rt_gpu > $OUT/gpu_paged.txt 2>&1; echo "suites rc $?")
grep -E "FAIL|within bounds|merge_states|Run Summary|suites|tests |asserts" $OUT/gpu_paged.txt | cut -c1-160
