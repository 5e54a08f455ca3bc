#!/bin/bash
# Session 35, run6 (one H200): build-lead as run5 (bench thresholds fixed): probe_doc.py d128,
# document_mask.py d128, then gpu_fwd and gpu_paged in full.
set -u
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
timeout 60 python3 bench/results/2026-11-30-h200-session35/probe_doc.py --head-dim 128 2>&1 | tail -1
timeout 110 python3 bench/document_mask.py --head-dim 128 --out $OUT/lead-d128 > $OUT/logs/bench_d128.txt 2>&1
echo "bench rc $?"; tail -6 $OUT/logs/bench_d128.txt
(cd build-lead && timeout 320 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
