#!/bin/sh
# The final tree (a claim's first atomic is the claim itself; stale counters reset after it):
# paged GPU suite, then the C bench A/B of HDB fp8 against 3de3f02, interleaved, two rounds.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_last.log 2>&1; echo "rc $?" >> $O/gpu_paged_last.log)
grep -c "^  ok" $O/gpu_paged_last.log; grep "FAIL" $O/gpu_paged_last.log | head -5; tail -2 $O/gpu_paged_last.log
for r in 1 2; do
  for cfg in "1 131072 16 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "64 4096 16 hdb fp8e4m3"; do
    echo "base  $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "claim $cfg: $(FADSL_CACHE_DIR=/tmp/fg2 build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
