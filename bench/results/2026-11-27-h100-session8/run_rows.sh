#!/bin/sh
# decode_rows (a few new tokens a sequence share one CTA's K/V reads): the paged suite, then
# the C bench with BENCH_Q_TOKENS against 70b8267 (build-lead/var/bench_base: this bench's
# source linked with 70b8267's libraries), interleaved.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fq ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_rows.log 2>&1; echo "rc $?" >> $O/gpu_paged_rows.log)
grep -c "^  ok" $O/gpu_paged_rows.log; grep "FAIL" $O/gpu_paged_rows.log | head -5; tail -2 $O/gpu_paged_rows.log
for row in "4|64 4096 16 nhd bf16 64 8" "8|64 4096 16 nhd bf16 64 8" "8|64 4096 16 nhd bf16" "4|64 4096 16 nhd bf16" "4|64 4096 16 nhd fp8e4m3 64 8" "4|64 4096 16 hdb bf16 64 8" "4|8 32768 16 nhd bf16 64 8" "3|64 4096 16 nhd bf16 64 8 64" "2|64 4096 16 nhd bf16 64 8"; do
  t=${row%%|*}; cfg=${row#*|}
  for r in 1 2; do
    echo "base T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
