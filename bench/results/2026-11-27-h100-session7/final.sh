#!/bin/sh
# session 7 final device run: correctness, the merge-warps A/B, the benches
cd "$(dirname "$0")/../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/ff ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_final.log 2>&1; echo "rc $?" >> $O/gpu_paged_final.log)
grep -c "^  ok" $O/gpu_paged_final.log; grep "FAIL" $O/gpu_paged_final.log | head -5; tail -2 $O/gpu_paged_final.log
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/ffp
python3 -m pytest -q python/tests > $O/python_tests_final.txt 2>&1; tail -1 $O/python_tests_final.txt
sh build-lead/var/run_merge32.sh > $O/merge32_c_bench.txt 2>&1; cat $O/merge32_c_bench.txt
python3 bench/paged_decode.py --out $O/final > /dev/null 2>&1; grep "bs16" $O/final/paged_decode.md
python3 bench/paged_decode.py --out $O/final_read --flush read --rows nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3,nhd:16:fp8e5m2 > /dev/null 2>&1; grep "fadsl" $O/final_read/paged_decode.md
python3 bench/chunked_prefill.py 2>&1 | grep -v "^fadsl:" | tail -3 > $O/chunked_prefill.txt; cat $O/chunked_prefill.txt
