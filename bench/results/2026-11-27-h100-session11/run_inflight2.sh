#!/bin/sh
# Session 11, second sweep: fewer bytes in flight a CTA (2 stages), more CTAs an SM; C bench,
# 100 timed launches, three interleaved rounds. Throwaway plan overrides FADSL_XP_16 / _FP8 =
# "keys a tile, warps, stages" (d128 sm_90a decode keys only).
cd "$(dirname "$0")/../../.."
B=build-lead/paged_decode_bench
export BENCH_REPS=100
for r in 1 2 3; do
  for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "8 32768 16 hdb bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16"; do
    echo "A    $cfg: $(FADSL_CACHE_DIR=/tmp/ca $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "B322 $cfg: $(FADSL_XP_16=32,2,2 FADSL_CACHE_DIR=/tmp/cb $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "F162 $cfg: $(FADSL_XP_16=16,1,2 FADSL_CACHE_DIR=/tmp/cf $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "F163 $cfg: $(FADSL_XP_16=16,1,3 FADSL_CACHE_DIR=/tmp/cg $B $cfg 2>&1 | grep '^| [0-9]')"
  done
  for cfg in "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "8 32768 16 hdb fp8e4m3" "1 131072 16 hdb fp8e4m3"; do
    echo "A    $cfg: $(FADSL_CACHE_DIR=/tmp/ca $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "D1282 $cfg: $(FADSL_XP_FP8=128,4,2 FADSL_CACHE_DIR=/tmp/cd $B $cfg 2>&1 | grep '^| [0-9]')"
    case "$cfg" in *nhd*) echo "H642 $cfg: $(FADSL_XP_FP8=64,2,2 FADSL_CACHE_DIR=/tmp/ch $B $cfg 2>&1 | grep '^| [0-9]')";; esac
  done
done
