#!/bin/bash
# Session 39 run6: fp8 caches at d256 on the Hopper forward template (one producer
# warpgroup, one 16-bit stage, blocks of up to 64 keys). From the repository root with $OUT
# set, build-lead carried: chunked prefill at d256 (512 new tokens against 8192 cached,
# fp8 NHD and HDB against the bf16 dense kernel), then gpu_paged with its three new d256
# fp8 chunk cases.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_LOG=0 FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
timeout 45 python3 bench/chunked_prefill.py --head-dim 256 2>&1 | tee $OUT/chunked256.txt
(cd build-lead && timeout 150 ./fadsl_tests gpu_paged > $OUT/logs/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_paged.txt | head -8
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
