#!/bin/sh
# The decode_claims sibling (split HDB fp8 launches only; unsplit ones keep the key's own
# kernel): paged GPU suite (asserts which kernel each case took), one round of the C bench
# A/B against 3de3f02, then the Python tests.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fs9 ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_sibling.log 2>&1; echo "rc $?" >> $O/gpu_paged_sibling.log)
grep -c "^  ok" $O/gpu_paged_sibling.log; grep -c "(tile claims)" $O/gpu_paged_sibling.log; grep "FAIL" $O/gpu_paged_sibling.log | head -5; tail -2 $O/gpu_paged_sibling.log
for cfg in "1 131072 16 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "64 4096 16 hdb fp8e4m3"; do
  echo "base  $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
  echo "claim $cfg: $(FADSL_CACHE_DIR=/tmp/fs9b build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
done
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fs9p python3 -m pytest -q -x python/tests > $O/python_tests_sibling.txt 2>&1; tail -1 $O/python_tests_sibling.txt
