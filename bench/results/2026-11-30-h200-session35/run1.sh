#!/bin/bash
# Session 35, run1 (one H200): document masking against FlexAttention (bench/document_mask.py,
# one process) at d256, where Hopper takes the FA2-class template: build-exp (HEAD 9af1646,
# no scan there) against build-lead (fa2_fwd with the tile scan); then build-lead at d128
# (sm_90a template) for the chunked_local twin, which shows what reading `doc` costs.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
for run in exp:256 lead:256 lead:128; do
  lib=${run%:*}; hd=${run#*:}
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 180 \
    python3 bench/document_mask.py --head-dim $hd --out $OUT/$lib-d$hd > $OUT/logs/bench_$lib-d$hd.txt 2>&1
  echo "bench $lib d$hd rc $?"; tail -7 $OUT/logs/bench_$lib-d$hd.txt
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
