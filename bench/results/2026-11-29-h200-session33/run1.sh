#!/bin/bash
# Session 33, run1 (one H200): the shared per-context records (loaded.c: forward kernels and
# merge load outside the lock, race re-check), the plan's shared memory for the function
# attribute, the cache's launch-metadata check: rt_gpu (new first_launches_race), gpu_checks,
# gpu_paged, gpu_fwd. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
(cd build-lead && timeout 150 ./fadsl_tests rt_gpu gpu_checks > $OUT/logs/rt_gpu.txt 2>&1; echo "rt_gpu+checks rc $?")
grep -h "contexts\|rel err\|skipped\|FAIL\|passed, \|failed" $OUT/logs/rt_gpu.txt | head -20
(cd build-lead && timeout 330 ./fadsl_tests gpu_paged gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
