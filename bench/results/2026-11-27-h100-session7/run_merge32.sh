#!/bin/sh
# A/B: bcdc523 (bench_base) against the working tree (merge CTAs of up to 32 warps), C bench, interleaved
cd "$(dirname "$0")/../.."
for cfg in "1 131072 16 nhd bf16" "1 131072 16 hdb bf16" "1 131072 16 nhd fp8e4m3"; do
  for r in 1 2; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
