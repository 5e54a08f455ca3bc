#!/bin/bash
# Session 28 run4: the claims kernel's registers. build-lead/ = bd0be12; build-exp/ = that +
# claims_bounds_experiment.diff: claims kernels compiled for the CTAs an SM their shared memory
# allows (__launch_bounds__ minimum 3 at d64, 2 at d128), so ptxas may use the registers that
# leave idle (d128: 192 instead of 168, V fragment loads no longer serialized: run3's ncu).
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for lib in build-lead build-exp; do
  echo "## $lib" >> $OUT/claims.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    timeout 150 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' >> $OUT/claims.md
done
cat $OUT/claims.md
FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-exp/libfadsl.so timeout 100 python3 -m pytest -q python/tests -k "split" \
  > $OUT/py_exp.txt 2>&1; echo "build-exp: $(tail -1 $OUT/py_exp.txt)"
