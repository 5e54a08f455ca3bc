#!/bin/sh
# Session 11, closing run: paged GPU suite (d96 TMA tiles now in two stages), then the
# same-process bench twice more (memset flush; with validate/bench, three runs for the
# median) and once with a read flush, bs16 rows.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/ff ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_final.log 2>&1; echo "rc $?" >> $O/gpu_paged_final.log)
echo "ok: $(grep -c '^  ok' $O/gpu_paged_final.log) 64-key: $(grep -c '(64-key plan)' $O/gpu_paged_final.log) claims: $(grep -c '(tile claims)' $O/gpu_paged_final.log)"
grep "FAIL\|NOT" $O/gpu_paged_final.log | head -5; tail -2 $O/gpu_paged_final.log
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/ffp
ROWS=nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3,nhd:16:fp8e5m2
python3 bench/paged_decode.py --out $O/bench_2 --rows $ROWS > /dev/null 2>&1
python3 bench/paged_decode.py --out $O/bench_3 --rows $ROWS > /dev/null 2>&1
python3 bench/paged_decode.py --out $O/bench_read --rows $ROWS --flush read > /dev/null 2>&1
for f in $O/bench_*/paged_decode.md; do echo "== $f"; grep fadsl $f | cut -c1-90; done
