#!/bin/sh
# A/B: held operands (the working tree) against 3de3f02 (build-lead/var/bench_base); the
# paged GPU suite on the new tree first. Interleaved, two rounds.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/fs ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_hold.log 2>&1; echo "rc $?" >> $O/gpu_paged_hold.log)
grep -c "^  ok" $O/gpu_paged_hold.log; grep -i "fail" $O/gpu_paged_hold.log | head -5; tail -3 $O/gpu_paged_hold.log
for r in 1 2; do
  for cfg in "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "8 32768 16 hdb fp8e4m3" "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "64 4096 16 hdb bf16" "1 131072 16 hdb bf16" "8 32768 8 nhd bf16" "8 32768 128 hdb bf16"; do
    echo "base $cfg: $(FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "hold $cfg: $(FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
