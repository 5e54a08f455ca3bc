#!/bin/sh
# Session 11: fp8 plans with fewer stages (C bench, 100 launches, three interleaved rounds).
# head = build-lead/var/bench_head (ef59246); the rest this tree (session 10's HDB 64-key
# fragment tiles applied, so HDB fp8 has a tile64 sibling) under throwaway overrides:
# FADSL_XP_FP8 (NHD wide plan), FADSL_XP_FP8_HDB, FADSL_XP_T64 (tile64 siblings).
cd "$(dirname "$0")/../../.."
B=build-lead/paged_decode_bench
export BENCH_REPS=100
for r in 1 2 3; do
  for cfg in "64 4096 16 hdb fp8e4m3" "64 4096 8 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3"; do
    echo "head  $cfg: $(FADSL_CACHE_DIR=/tmp/fh build-lead/var/bench_head $cfg 2>&1 | grep '^| [0-9]')"
    echo "t643  $cfg: $(FADSL_CACHE_DIR=/tmp/f1 $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "t642  $cfg: $(FADSL_XP_T64=64,2,2 FADSL_XP_FP8=128,4,2 FADSL_CACHE_DIR=/tmp/f2 $B $cfg 2>&1 | grep '^| [0-9]')"
    echo "all642 $cfg: $(FADSL_XP_T64=64,2,2 FADSL_XP_FP8_HDB=64,2,2 FADSL_XP_FP8=64,2,2 FADSL_CACHE_DIR=/tmp/f3 $B $cfg 2>&1 | grep '^| [0-9]')"
  done
done
