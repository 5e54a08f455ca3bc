#!/bin/bash
# Session 26 run 4: where the dense decode template stops winning. build-exp/libfadsl.so is
# this tree with fart_dense_decode's row limit raised to 512 (a throwaway build), so "fadsl
# none" below is the decode template at every row count and "forward" the forward
# template (FADSL_NO_DENSE_DECODE=1); CUDA-graph replays. Then gpu_fwd on build-lead, whose
# every case now checks its route.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d)
S=8:8192:64:8:64:16,8:8192:64:8:64:24,8:8192:64:8:64:32,8:8192:64:8:64:48
S=$S,8:8192:32:8:128:32,8:8192:32:8:128:40,8:8192:32:8:128:48,8:8192:32:8:128:64
S=$S,8:8192:32:8:256:16,8:8192:32:8:256:20,8:8192:32:8:256:24,8:8192:32:8:256:32
S=$S,8:8192:32:8:96:16,8:8192:32:8:96:24,8:8192:32:8:192:16,8:8192:32:8:192:24
FADSL_LIBRARY=$PWD/build-exp/libfadsl.so python3 bench/dense_decode.py --graphs --shapes $S --out $OUT/rows > $OUT/rows.log 2>&1
echo "rows rc $?"; cp $OUT/rows/dense_decode.md $OUT/rows_sweep.md; rm -rf $OUT/rows
grep "fadsl none" $OUT/rows_sweep.md
timeout 300 ./build-lead/fadsl_tests gpu_fwd > $OUT/gpu_fwd.txt 2>&1; echo "gpu_fwd rc $?"
grep "within bounds\|FAIL" $OUT/gpu_fwd.txt | head; grep -A4 "Run Summary" $OUT/gpu_fwd.txt
