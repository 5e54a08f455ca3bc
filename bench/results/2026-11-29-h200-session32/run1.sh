#!/bin/bash
# Session 32, run1 (two H200s): the driver-layer changes (merge records unbounded and loaded
# outside the lock, fadsl_device_init refusing another device's current context) and session
# 31's unrun gpu_checks refactor: rt_gpu (72 contexts of merges, device_init on two GPUs),
# gpu_checks, gpu_paged, gpu_fwd. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
(cd build-lead && timeout 120 ./fadsl_tests rt_gpu gpu_checks > $OUT/logs/rt_gpu.txt 2>&1; echo "rt_gpu+checks rc $?")
grep -h "contexts\|skipped\|FAIL\|passed, \|failed" $OUT/logs/rt_gpu.txt | head -20
(cd build-lead && timeout 400 ./fadsl_tests gpu_paged gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
