#!/bin/sh
# Session 10, first device run at ef59246 (the decode_claims sibling, unrun in session 9):
# paged GPU suite, Python tests, the same-process bench (memset flush), then a C bench A/B of
# HDB fp8 against 3de3f02 (build-lead/var/bench_base), interleaved.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fv ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged.log 2>&1; echo "rc $?" >> $O/gpu_paged.log)
echo "ok: $(grep -c '^  ok' $O/gpu_paged.log) claims: $(grep -c '(tile claims)' $O/gpu_paged.log)"; grep "FAIL" $O/gpu_paged.log | head -5; tail -2 $O/gpu_paged.log
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fvp
python3 -m pytest -q python/tests > $O/python_tests.txt 2>&1; tail -1 $O/python_tests.txt
python3 bench/paged_decode.py --out $O/bench > /dev/null 2>&1; grep "bs16\|cudnn" $O/bench/paged_decode.md
for r in 1 2; do
  for cfg in "1 131072 16 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "64 4096 16 hdb fp8e4m3"; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  $cfg: $(FADSL_CACHE_DIR=/tmp/fvc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done > $O/c_bench.txt 2>&1
cat $O/c_bench.txt
