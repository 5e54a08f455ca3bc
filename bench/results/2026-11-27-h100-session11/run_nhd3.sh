#!/bin/sh
# Session 11: NHD fp8 128-key tiles at three CTAs an SM (__launch_bounds__(128, 3): 168
# registers, from 238), Q reloaded each tile (nhd3) or kept in registers (nhd3q, 56-72 bytes
# of stack), against df11dbc (paged_decode_bench). C bench, 100 launches, three rounds.
cd "$(dirname "$0")/../../.."
export BENCH_REPS=100
for r in 1 2 3; do
  for cfg in "1 131072 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e5m2" "4 32768 16 nhd fp8e4m3"; do
    echo "head  $cfg: $(FADSL_CACHE_DIR=/tmp/n0 build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
    echo "nhd3  $cfg: $(FADSL_CACHE_DIR=/tmp/n1 build-lead/var/bench_nhd3 $cfg 2>&1 | grep '^| [0-9]')"
    echo "nhd3q $cfg: $(FADSL_CACHE_DIR=/tmp/n2 build-lead/var/bench_nhd3q $cfg 2>&1 | grep '^| [0-9]')"
  done
done
