#!/bin/sh
# HDB fp8 decode_tile64 (64 keys x 2 warps, four CTAs an SM, slabs by bulk copy) for unsplit
# grids of more than one wave: paged GPU suite on the new tree, then the C bench A/B against
# the session's starting build (build-lead/var/bench_head = ef59246), interleaved, two rounds.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/ft ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_t64.log 2>&1; echo "rc $?" >> $O/gpu_paged_t64.log)
echo "ok: $(grep -c '^  ok' $O/gpu_paged_t64.log) 64-key: $(grep -c '(64-key plan)' $O/gpu_paged_t64.log)"; grep "FAIL\|NOT" $O/gpu_paged_t64.log | head -5; tail -2 $O/gpu_paged_t64.log
for r in 1 2; do
  for cfg in "64 4096 16 hdb fp8e4m3" "64 4096 8 hdb fp8e4m3" "64 4096 16 hdb fp8e5m2" "32 4096 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3"; do
    echo "head $cfg: $(FADSL_CACHE_DIR=/tmp/fh build-lead/var/bench_head $cfg 2>&1 | grep '^| [0-9]')"
    echo "t64  $cfg: $(FADSL_CACHE_DIR=/tmp/ft2 build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
