#!/bin/sh
# Session 9 device run at cb4c5eb (tile claims for HDB fp8 split decodes): paged GPU suite,
# the same-process bench (memset and read L2 flush), Python tests, then a C bench A/B against
# 3de3f02 (build-lead/var/bench_base).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/ff ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_final.log 2>&1; echo "rc $?" >> $O/gpu_paged_final.log)
grep -c "^  ok" $O/gpu_paged_final.log; grep "FAIL" $O/gpu_paged_final.log | head -5; tail -2 $O/gpu_paged_final.log
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/ffp
python3 bench/paged_decode.py --out $O/final > /dev/null 2>&1; grep "bs16\|cudnn" $O/final/paged_decode.md
python3 bench/paged_decode.py --out $O/final_read --flush read --rows nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3,nhd:16:fp8e5m2 > /dev/null 2>&1; grep "fadsl\|cudnn" $O/final_read/paged_decode.md
python3 -m pytest -q python/tests > $O/python_tests_final.txt 2>&1; tail -1 $O/python_tests_final.txt
for cfg in "1 131072 16 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "64 4096 16 hdb fp8e4m3" "1 131072 16 hdb bf16"; do
  for r in 1 2; do
    echo "base  $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "claim $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done > $O/final_c_bench.txt 2>&1
cat $O/final_c_bench.txt
