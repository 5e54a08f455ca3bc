#!/bin/sh
# Tile claims everywhere, NHD splits keeping a static first part: a = 6/8 of the list in
# even shares (NHD), b = 4/8; HDB claims all. Against 3de3f02 (base) and cb4c5eb (cur: claims
# for HDB fp8 only). Interleaved, two rounds.
cd "$(dirname "$0")/../../.."
for r in 1 2; do
  for cfg in "1 131072 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd bf16" "8 32768 16 nhd bf16" "1 131072 16 hdb bf16" "8 32768 16 hdb bf16" "1 131072 16 hdb fp8e4m3"; do
    for v in base cur a b; do
      echo "$v $cfg: $(FADSL_CACHE_DIR=/tmp/fh_$v build-lead/var/bench_$v $cfg 2>&1 | grep '^| [0-9]')"
    done
  done
done
