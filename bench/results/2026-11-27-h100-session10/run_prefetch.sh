#!/bin/sh
# A/B: the first tiles' block-table entries asked into L2 (prefetch.L2, guessed from
# args.seqlen_k) while the sequence's length loads, against ef59246 (build-lead/var/
# bench_head). C bench, interleaved, three rounds.
cd "$(dirname "$0")/../../.."
for r in 1 2 3; do
  for cfg in "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3" "8 32768 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "64 4096 16 nhd bf16" "1 131072 16 nhd bf16"; do
    echo "head $cfg: $(FADSL_CACHE_DIR=/tmp/fh build-lead/var/bench_head $cfg 2>&1 | grep '^| [0-9]')"
    echo "pref $cfg: $(FADSL_CACHE_DIR=/tmp/fp build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
