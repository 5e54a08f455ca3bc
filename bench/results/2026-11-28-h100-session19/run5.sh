#!/bin/bash
# Session 19 run 5: GPU suites on the out-of-range seq_lens guard (paged cases with bad
# lengths included); non-paged cubins are byte-identical to 38eb497's (checked on the CPU).
cd build-lead && FADSL_CACHE_DIR=/tmp/fc ./fadsl_tests rt_gpu gpu_checks gpu_paged > $OUT/gpu_suites.txt 2>&1
echo rc=$?; grep -E "bad seq_lens|within bounds|Run Summary|tests|asserts|passed|failed" $OUT/gpu_suites.txt | tail -16
