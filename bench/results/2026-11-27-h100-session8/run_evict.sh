#!/bin/sh
# A/B: 703ee78 (build-lead/var/base.so, bench_base) against the working tree (K/V copies
# with an L2 evict-first policy); correctness of the new tree first.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fe ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_evict.log 2>&1; echo "rc $?" >> $O/gpu_paged_evict.log)
grep -c "^  ok" $O/gpu_paged_evict.log; grep "FAIL" $O/gpu_paged_evict.log | head -5; tail -2 $O/gpu_paged_evict.log
ROWS=nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3
for r in 1 2; do
  for v in base new; do
    lib=$PWD/build-lead/libfadsl.so; [ $v = base ] && lib=$PWD/build-lead/var/base.so
    FADSL_LIBRARY=$lib FADSL_CACHE_DIR=/tmp/fp_$v python3 bench/paged_decode.py --rows $ROWS --out $O/${v}_write_$r > /dev/null 2>&1
    echo "== $v write round $r"; grep "fadsl\|sdpa" $O/${v}_write_$r/paged_decode.md | head -20
  done
done
for v in base new; do
  lib=$PWD/build-lead/libfadsl.so; [ $v = base ] && lib=$PWD/build-lead/var/base.so
  FADSL_LIBRARY=$lib FADSL_CACHE_DIR=/tmp/fp_$v python3 bench/paged_decode.py --flush read --rows $ROWS --out $O/${v}_read > /dev/null 2>&1
  echo "== $v read"; grep "fadsl\|sdpa" $O/${v}_read/paged_decode.md | head -20
done
