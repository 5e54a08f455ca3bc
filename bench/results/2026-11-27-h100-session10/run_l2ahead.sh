#!/bin/sh
# A/B: each tile's K/V asked into L2 an iteration before its copies (the threads holding its
# block-table entries: prefetch.global.L2 lines for NHD rows, cp.async.bulk.prefetch.L2 for
# HDB slabs), against ef59246 (build-lead/var/bench_head). C bench, interleaved, two rounds.
cd "$(dirname "$0")/../../.."
for r in 1 2; do
  for cfg in "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "64 4096 16 nhd bf16" "1 131072 16 nhd bf16" "8 32768 16 hdb bf16"; do
    echo "head $cfg: $(FADSL_CACHE_DIR=/tmp/fh build-lead/var/bench_head $cfg 2>&1 | grep '^| [0-9]')"
    echo "l2a  $cfg: $(FADSL_CACHE_DIR=/tmp/fl build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
