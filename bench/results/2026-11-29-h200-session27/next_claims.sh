#!/bin/bash
# NOT RUN (session 27 ran out of device time): the device check of claims_deferred_32bit.diff.
# Before: build-exp/ = this commit with the diff applied (cmake -S <tree> -B build-exp; build
# all), build-lead/ = this commit. Then, from the repository root with $OUT set:
#   correctness: gpu_paged (9 tile-claim cases) and the Python split tests on the new kernels;
#   speed: claims_probe.py (claims vs even shares in one process) with each library.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
(cd build-exp && FADSL_CACHE_DIR=$(mktemp -d) ./fadsl_tests gpu_paged > $OUT/gpu_paged_new.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL" $OUT/gpu_paged_new.txt | head
for lib in build-lead build-exp; do
  echo "## $lib" >> $OUT/claims.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    python3 bench/results/2026-11-29-h200-session27/claims_probe.py 2>/dev/null | grep '^| [0-9]' >> $OUT/claims.md
done
FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-exp/libfadsl.so python3 -m pytest -q python/tests -k "split or paged" \
  > $OUT/py_new.txt 2>&1; tail -1 $OUT/py_new.txt
cat $OUT/claims.md
