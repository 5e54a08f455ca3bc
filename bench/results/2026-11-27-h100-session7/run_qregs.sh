#!/bin/sh
# A/B: 9c71532 (bench_base) against the working tree (16-bit decode: Q fragments held in registers), C bench, interleaved
cd "$(dirname "$0")/../.."
for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16"; do
  for r in 1 2; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
