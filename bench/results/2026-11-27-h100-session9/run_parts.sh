#!/bin/sh
# Diagnostic: which part of the math costs the fp8 decode its time? Builds of 3de3f02 with
# the tensor-core mma replaced by an empty asm that keeps its operands live (nomma), without
# O += P.V (nopv), without S = Q.K^T (noqk), without all of it (nomath), against base.
cd "$(dirname "$0")/../../.."
for r in 1 2; do
  for cfg in "1 131072 16 hdb fp8e4m3" "64 4096 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3"; do
    for v in base nomma nopv noqk nomath; do
      echo "$v $cfg: $(FADSL_CACHE_DIR=/tmp/fq_$v build-lead/var/bench_$v $cfg 2>&1 | grep '^| [0-9]')"
    done
  done
done
