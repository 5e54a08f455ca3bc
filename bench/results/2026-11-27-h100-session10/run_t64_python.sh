#!/bin/sh
# HDB fp8 64-key tiles (hdb_tile64_experiment.diff, build-lead/libfadsl.so) against ef59246
# (build-lead/var/head.so) in the same-process bench, HDB bs16 rows, memset then read flush.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
R=hdb:16:bf16,hdb:16:fp8e4m3
for f in write read; do
  for v in head t64; do
    lib=$PWD/build-lead/libfadsl.so; [ $v = head ] && lib=$PWD/build-lead/var/head.so
    FADSL_LIBRARY=$lib FADSL_CACHE_DIR=/tmp/fpy_$v python3 bench/paged_decode.py --out $O/${v}_$f --flush $f --rows $R > /dev/null 2>&1
    echo "== $v $f"; grep "fadsl" $O/${v}_$f/paged_decode.md
  done
done
