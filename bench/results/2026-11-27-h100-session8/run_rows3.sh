#!/bin/sh
# decode_rows with the measured policy (runtime/validate.c decode_rows_class): the paged
# suite, then the C bench against 70b8267 on the shapes it now leaves alone and the ones it takes.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fq3 ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_rows_policy.log 2>&1; echo "rc $?" >> $O/gpu_paged_rows_policy.log)
grep -c "^  ok" $O/gpu_paged_rows_policy.log; grep "FAIL" $O/gpu_paged_rows_policy.log | head -5; tail -2 $O/gpu_paged_rows_policy.log
for row in "4|64 4096 16 nhd bf16 64 8" "4|64 4096 16 hdb bf16 64 8" "4|64 4096 16 hdb fp8e4m3 64 8" "8|64 4096 16 nhd bf16 64 8" "4|64 4096 16 nhd fp8e4m3 64 8" "3|64 4096 16 nhd bf16 64 8 64"; do
  t=${row%%|*}; cfg=${row#*|}
  for r in 1 2; do
    echo "base T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc3 build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
