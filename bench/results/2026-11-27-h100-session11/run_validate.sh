#!/bin/sh
# Session 11, the committed plans (d128: bf16 TMA and the fp8 64-key siblings in two stages,
# NHD fp8 128-key tiles in two, HDB fp8 64-key sibling): paged GPU suite, Python tests, the
# same-process bench (memset flush, every row).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fv ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged.log 2>&1; echo "rc $?" >> $O/gpu_paged.log)
echo "ok: $(grep -c '^  ok' $O/gpu_paged.log) 64-key: $(grep -c '(64-key plan)' $O/gpu_paged.log) claims: $(grep -c '(tile claims)' $O/gpu_paged.log)"
grep "FAIL\|NOT" $O/gpu_paged.log | head -5; tail -2 $O/gpu_paged.log
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fvp
python3 -m pytest -q python/tests > $O/python_tests.txt 2>&1; tail -1 $O/python_tests.txt
python3 bench/paged_decode.py --out $O/bench > /dev/null 2>&1; grep "fadsl" $O/bench/paged_decode.md | cut -c1-80
