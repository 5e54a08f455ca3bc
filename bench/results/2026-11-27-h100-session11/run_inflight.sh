#!/bin/sh
# Session 11: bytes in flight cut (throwaway plan overrides FADSL_XP_*), C bench, interleaved.
cd "$(dirname "$0")/../../.."
B=build-lead/paged_decode_bench
for r in 1 2; do
  for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16"; do
    echo "A    $cfg: $(FADSL_CACHE_DIR=/tmp/ca $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "B322 $cfg: $(FADSL_XP_16=32,2,2 FADSL_CACHE_DIR=/tmp/cb $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "C322 $cfg: $(FADSL_XP_16=32,2,2 FADSL_XP_SMEM_MIN=56000 FADSL_CACHE_DIR=/tmp/cc $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "E642 $cfg: $(FADSL_XP_16=64,4,2 FADSL_CACHE_DIR=/tmp/ce $B $cfg 2>&1 | grep '^| [0-9]')"
  done
  for cfg in "64 4096 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3"; do
    echo "A    $cfg: $(FADSL_CACHE_DIR=/tmp/ca $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "D1282 $cfg: $(FADSL_XP_FP8=128,4,2 FADSL_CACHE_DIR=/tmp/cd $B $cfg 2>&1 | grep '^| [0-9]')"
  done
done
