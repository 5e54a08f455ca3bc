#!/bin/sh
# Shuffled against ordered block tables (BENCH_ORDERED_BLOCKS=1), same library (the tree at
# 070cd6a), C bench, interleaved: what the random placement of blocks costs.
cd "$(dirname "$0")/../../.."
for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16" "64 4096 128 nhd bf16" "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3"; do
  for r in 1 2; do
    echo "shuffled $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
    echo "ordered  $cfg: $(BENCH_ORDERED_BLOCKS=1 FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
