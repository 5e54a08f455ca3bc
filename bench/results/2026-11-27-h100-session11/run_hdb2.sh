#!/bin/sh
# Session 11: HDB fp8 128-key tiles (and their claims sibling) in two stages instead of three
# (throwaway FADSL_XP_HDB_STAGES=2), same-process bench, alternated twice.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
ROWS=hdb:16:bf16,hdb:16:fp8e4m3
for r in 1 2; do
  FADSL_CACHE_DIR=/tmp/h3 python3 bench/paged_decode.py --out $O/three_$r --rows $ROWS > /dev/null 2>&1
  FADSL_XP_HDB_STAGES=2 FADSL_CACHE_DIR=/tmp/h2 python3 bench/paged_decode.py --out $O/two_$r --rows $ROWS > /dev/null 2>&1
done
for f in $O/*/paged_decode.md; do echo "== $f"; grep "fp8" $f | cut -c1-90; done
