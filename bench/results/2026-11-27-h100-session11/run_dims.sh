#!/bin/sh
# Session 11: 16-bit TMA decode tiles (32 keys x 2 warps) at the other head dims, the
# shipped stages (d64 4, d96/d192/d256 3) against two (throwaway FADSL_XP_TMA_STAGES=2).
# C bench, 32 query / 8 KV heads, 100 launches, three interleaved rounds.
cd "$(dirname "$0")/../../.."
B=build-lead/paged_decode_bench
export BENCH_REPS=100
for r in 1 2 3; do
  for d in 64 96 192 256; do
    for cfg in "64 4096 16 nhd bf16" "1 131072 16 nhd bf16" "64 4096 16 hdb bf16"; do
      echo "ship d$d $cfg: $(FADSL_CACHE_DIR=/tmp/d0 $B $cfg 32 8 $d 2>&1 | grep '^| [0-9]')"
      echo "two  d$d $cfg: $(FADSL_XP_TMA_STAGES=2 FADSL_CACHE_DIR=/tmp/d2 $B $cfg 32 8 $d 2>&1 | grep '^| [0-9]')"
    done
  done
done
