#!/bin/bash
# Session 27 run 6: issue #5's decode bars with every call replayed from a CUDA graph (GPU
# time only: run5's eager 1 x 131072 fp8 rows waited on the host), build-lead = HEAD; then
# the cp.async L2 hint A/B of run5 under graphs (build-exp2: no hint; its tensor maps are the
# old 256-byte ones, so only its fp8 rows compare).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=$(mktemp -d)
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so python3 bench/paged_decode.py --graphs --out $OUT/paged \
  > $OUT/logs/paged_decode.log 2>&1; echo "paged rc $?"
for lib in build-exp2 build-lead; do
  FADSL_LIBRARY=$PWD/$lib/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d) python3 bench/paged_decode.py --graphs \
    --rows nhd:16:fp8e4m3,hdb:64:fp8e4m3 --out $OUT/logs/$lib > $OUT/logs/$lib.log 2>&1; echo "$lib rc $?"
  echo "## $lib" >> $OUT/l2_cp_graphs.md; grep '^| [0-9]' $OUT/logs/$lib/paged_decode.md | grep -v flash >> $OUT/l2_cp_graphs.md
done
cp $OUT/paged/paged_decode.md $OUT/paged_decode_graphs.md; cp $OUT/paged/paged_decode.json $OUT/paged_decode_graphs.json
rm -rf $OUT/paged; tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
grep -v sdpa_flash $OUT/paged_decode_graphs.md; cat $OUT/l2_cp_graphs.md
