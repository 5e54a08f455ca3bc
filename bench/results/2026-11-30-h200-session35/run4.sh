#!/bin/bash
# Session 35, run4 (one H200): build-lead = ec2ef06 + masks in parts where a one-position
# part divides by a runtime value + scans read by 8-lane groups (FA_SCAN_LANES, 16 loads a
# lane in flight; a warp scans four tiles at once). probe_doc.py at d128/d256 and
# document_mask.py at d128; then gpu_fwd for document and chunked_local, gpu_random from $1.
set -u
mkdir -p $OUT/logs
for hd in 128 256; do
  FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 100 \
    python3 bench/results/2026-11-30-h200-session35/probe_doc.py --head-dim $hd 2>&1 | tail -1
done
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 180 \
  python3 bench/document_mask.py --head-dim 128 --out $OUT/lead-d128 > $OUT/logs/bench_d128.txt 2>&1
echo "bench rc $?"; tail -6 $OUT/logs/bench_d128.txt
for var in document chunked_local; do
  (cd build-lead && FA_GPU_TEST_VARIANT=$var FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 120 ./fadsl_tests gpu_fwd > $OUT/logs/gpu_$var.txt 2>&1; echo "gpu $var rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/gpu_$var.txt
done
(cd build-lead && FA_GPU_RANDOM_SEED=$1 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 120 ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
tail -1 $OUT/logs/random.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
