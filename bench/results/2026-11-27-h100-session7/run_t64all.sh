#!/bin/sh
# A/B: HEAD (paged_decode_bench) against a build whose fp8 NHD keys always take the 64-key x 2-warp sibling, split grids included (bench_t64all)
cd "$(dirname "$0")/../.."
for cfg in "1 131072 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "64 4096 16 nhd fp8e4m3" "1 131072 64 nhd fp8e4m3"; do
  for r in 1 2; do
    echo "head  $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
    echo "t64   $cfg: $(FADSL_CACHE_DIR=/tmp/fc_t64 build-lead/var/bench_t64all $cfg 2>&1 | grep '^| [0-9]')"
  done
done
