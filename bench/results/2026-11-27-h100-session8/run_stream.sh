#!/bin/sh
# A/B: 703ee78 (build-lead/var/base.so, bench_base) against the working tree (decode columns
# cut units evenly: every CTA slot streams the same share); correctness of the new tree first.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fs ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_stream.log 2>&1; echo "rc $?" >> $O/gpu_paged_stream.log)
grep -c "^  ok" $O/gpu_paged_stream.log; grep "FAIL" $O/gpu_paged_stream.log | head -5; tail -2 $O/gpu_paged_stream.log
for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "70 4096 16 nhd bf16" "70 4096 16 nhd fp8e4m3"; do
  for r in 1 2; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
ROWS=nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3
for v in base new; do
  lib=$PWD/build-lead/libfadsl.so; [ $v = base ] && lib=$PWD/build-lead/var/base.so
  FADSL_LIBRARY=$lib FADSL_CACHE_DIR=/tmp/fp_$v python3 bench/paged_decode.py --rows $ROWS --out $O/${v}_write > /dev/null 2>&1
  echo "== $v write"; grep "fadsl\|sdpa" $O/${v}_write/paged_decode.md
done
