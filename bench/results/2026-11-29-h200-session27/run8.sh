#!/bin/bash
# Session 27 run 8: hybrid claims (hybrid_claims_experiment.diff: each split's fixed share is
# FAX_FIXED_PCT% of an even share, only the rest claimed). build-lead = HEAD (fixed share at
# most FA_STAGES + 2 tiles), build-exp = 75%, build-exp2 = 50%; claims_probe.py with each, then
# gpu_paged (its 9 tile-claim cases) on build-exp's tests.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for lib in build-lead build-exp build-exp2; do
  echo "## $lib" >> $OUT/hybrid.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    python3 bench/results/2026-11-29-h200-session27/claims_probe.py 2>/dev/null | grep '^| [0-9]' >> $OUT/hybrid.md
done
cat $OUT/hybrid.md
FADSL_CACHE_DIR=$(mktemp -d) timeout 150 ./build-exp/fadsl_tests gpu_paged > $OUT/gpu_paged_hybrid75.txt 2>&1; echo "gpu_paged rc $?"
grep -h "within bounds\|FAIL" $OUT/gpu_paged_hybrid75.txt | head; grep -A4 "Run Summary" $OUT/gpu_paged_hybrid75.txt
