#!/bin/bash
# Session 30, run1: gpu_paged on HEAD (fc67760, not run on a GPU yet), then the half-length
# yardstick under CUDA graphs for build-lead (HEAD), build-exp (fp8_stages3_experiment.diff)
# and build-exp2 (bf16_tma_stages3_experiment.diff). From the repo root, $OUT set.
set -u
S=bench/results/2026-11-29-h200-session30
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-cache
(cd build-lead && timeout 200 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/gpu_paged.txt | head -5; gzip $OUT/gpu_paged.txt
for t in lead:lead exp:exp exp2:exp2 lead:lead2; do b=${t%%:*}
  FADSL_LIBRARY=$PWD/build-$b/libfadsl.so FADSL_CACHE_DIR=/tmp/fadsl-cache-$b timeout 110 \
    python3 $S/half_length_graphs.py $OUT/hl ${t#*:} 2>&1 | grep -v sdpa_flash
done
