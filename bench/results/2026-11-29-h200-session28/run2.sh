#!/bin/bash
# Session 28 run2: tile claims taken in batches. build-lead/ = 9e606b8 + claims_deferred_32bit.diff
# (one tile a claim, read an iteration later); build-exp/ = that + claim_batch_experiment.diff with
# FA_DEC_CLAIM_BATCH 2 (two tiles an atomic, read two iterations later); build-exp2/ = the same with 4.
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for lib in build-lead build-exp build-exp2; do
  echo "## $lib" >> $OUT/claims.md
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so \
    timeout 150 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' >> $OUT/claims.md
done
cat $OUT/claims.md
for lib in build-exp build-exp2; do
  FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/$lib/libfadsl.so timeout 100 python3 -m pytest -q python/tests -k "split" \
    > $OUT/py_$lib.txt 2>&1; echo "$lib: $(tail -1 $OUT/py_$lib.txt)"
done
