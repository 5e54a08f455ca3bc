#!/bin/sh
# Session 10 closing runs at HEAD (kernels as ef59246): the same-process bench twice more
# (memset flush; with validate/bench, three runs) and once with a read flush (bs16 rows).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/ffin
for r in 2 3; do
  python3 bench/paged_decode.py --out $O/bench_$r > /dev/null 2>&1; grep "bs16\|cudnn" $O/bench_$r/paged_decode.md
done
python3 bench/paged_decode.py --out $O/bench_read --flush read --rows nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3 > /dev/null 2>&1; grep "fadsl\|cudnn" $O/bench_read/paged_decode.md
