#!/bin/sh
# Session 11: same-process bench (memset flush), bs16 rows, the plain plans against the
# throwaway overrides (bf16 d128 TMA: 32 keys x 2 warps x 2 stages; fp8 NHD: 128 x 4 x 2),
# alternated twice.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
ROWS=nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for r in 1 2; do
  FADSL_CACHE_DIR=/tmp/pa python3 bench/paged_decode.py --out $O/plain_$r --rows $ROWS > /dev/null 2>&1
  FADSL_XP_16=32,2,2 FADSL_XP_FP8=128,4,2 FADSL_CACHE_DIR=/tmp/pb python3 bench/paged_decode.py --out $O/xp_$r --rows $ROWS > /dev/null 2>&1
done
for f in $O/*/paged_decode.md; do echo "== $f"; grep "fadsl" $f; done
