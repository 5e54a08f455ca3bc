#!/bin/bash
# Session 28 run6: the claims kernels' launch bounds at head dim 64. build-exp/ = bd0be12 (ptxas's
# choice), build-lead/ = d10edad (compiled for three CTAs an SM). Both policies, one process a library.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for lib in build-exp build-lead build-exp; do
  echo "## $lib" >> $OUT/claims_d64.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    timeout 100 python3 bench/results/2026-11-29-h200-session28/claims_probe_d64.py 2>&1 | grep '^| [0-9]\|Error' >> $OUT/claims_d64.md
done
cat $OUT/claims_d64.md
