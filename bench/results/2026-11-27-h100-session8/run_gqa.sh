#!/bin/sh
# Wide GQA and spill fixes: the paged suite (wide-GQA cases added), the Python tests, and
# the C bench at GQA 32/64 against 703ee78 (build-lead/var/bench_base: this bench's source
# linked with 703ee78's libraries).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_gqa.log 2>&1; echo "rc $?" >> $O/gpu_paged_gqa.log)
grep -c "^  ok" $O/gpu_paged_gqa.log; grep "FAIL" $O/gpu_paged_gqa.log | head -5; tail -2 $O/gpu_paged_gqa.log
for cfg in "8 8192 16 nhd bf16 64 1 128" "8 8192 16 nhd fp8e4m3 64 1 128" "8 8192 16 hdb bf16 64 1 128" "8 8192 16 nhd bf16 32 1 256" "8 8192 16 hdb fp8e4m3 32 1 256" "64 4096 16 nhd bf16 64 8 128" "8 8192 16 nhd bf16 32 1 128"; do
  for r in 1 2; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fpy python3 -m pytest -q python/tests > $O/python_tests.txt 2>&1; tail -1 $O/python_tests.txt
