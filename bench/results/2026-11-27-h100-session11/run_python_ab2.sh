#!/bin/sh
# Session 11: same-process bench (memset flush), bs16 rows: ef59246's library (var/head.so)
# against this tree under the candidate plans (throwaway overrides: bf16 d128 TMA 32 keys x 2
# warps x 2 stages; NHD and HDB fp8 64-key siblings x 2 stages; NHD fp8 wide 128 x 4 x 2),
# alternated twice.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
ROWS=nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3
for r in 1 2; do
  FADSL_LIBRARY=$PWD/build-lead/var/head.so FADSL_CACHE_DIR=/tmp/ph python3 bench/paged_decode.py --out $O/head_$r --rows $ROWS > /dev/null 2>&1
  FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_XP_16=32,2,2 FADSL_XP_T64=64,2,2 FADSL_XP_FP8=128,4,2 FADSL_CACHE_DIR=/tmp/px \
    python3 bench/paged_decode.py --out $O/cand_$r --rows $ROWS > /dev/null 2>&1
done
