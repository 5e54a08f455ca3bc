#!/bin/bash
# Session 28 run1: the device check of session 27's claims_deferred_32bit.diff (its next_claims.sh,
# with time limits). build-exp/ = 9e606b8 + that diff; build-lead/ = 9e606b8.
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for lib in build-lead build-exp; do
  echo "## $lib" >> $OUT/claims.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    timeout 120 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' >> $OUT/claims.md
done
cat $OUT/claims.md
FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-exp/libfadsl.so timeout 120 python3 -m pytest -q python/tests -k "split or paged" \
  > $OUT/py_new.txt 2>&1; tail -1 $OUT/py_new.txt
(cd build-exp && FADSL_CACHE_DIR=$(mktemp -d) timeout 300 ./fadsl_tests gpu_paged > $OUT/gpu_paged_new.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL" $OUT/gpu_paged_new.txt | head
gzip $OUT/gpu_paged_new.txt
