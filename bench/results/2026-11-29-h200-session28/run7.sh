#!/bin/bash
# Session 28 run7: does ptxas's load scheduling cost the unsplit HDB fp8 kernels too? At
# 64 x 4096 HDB fp8 runs on the 64-key tile64 sibling: at bs8 build-lead's (ptxas's choice)
# serializes its V fragment loads, at bs16 it does not; build-exp = e40712a +
# hdb_fp8_bounds_experiment.diff (every sm_90a HDB fp8 decode compiled for the CTAs its shared
# memory allows) flips both (bs8 overlapped, bs16 serialized). Libraries alternate (lead, exp, lead), each its
# own process, CUDA graphs.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
for lib in build-lead build-exp build-lead; do
  FADSL_LIBRARY=$PWD/$lib/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d) timeout 100 python3 bench/paged_decode.py --graphs \
    --rows hdb:8:fp8e4m3,hdb:16:fp8e4m3 --out $OUT/logs/$lib > $OUT/logs/$lib.log 2>&1; echo "$lib rc $?"
  echo "## $lib" >> $OUT/hdb_fp8_bounds.md; grep '^| [0-9]' $OUT/logs/$lib/paged_decode.md | grep -v "sdpa_flash\|sdpa_eff\|sdpa_math" >> $OUT/hdb_fp8_bounds.md
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
cat $OUT/hdb_fp8_bounds.md
