#!/bin/sh
# Diagnostic: what the merge of a split decode costs. ncu per-kernel durations (kernels
# serialised) and, where nsys exists, the stream timeline (decode end -> merge end, PDL on).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
export FADSL_CACHE_DIR=/tmp/fm BENCH_REPS=5
for cfg in "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16"; do
  echo "== $cfg: $(build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  ncu --metrics gpu__time_duration.sum build-lead/paged_decode_bench $cfg 2>&1 | grep -E "^  [a-z_]+.*\(|gpu__time_duration" | tail -4
done
NSYS=$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems/*/bin/nsys 2>/dev/null | head -1)
echo "nsys: $NSYS"
if [ -n "$NSYS" ]; then
  for cfg in "1 131072 16 nhd fp8e4m3" "8 32768 16 nhd bf16"; do
    $NSYS profile -o /tmp/p_$$ --force-overwrite true build-lead/paged_decode_bench $cfg > /dev/null 2>&1
    $NSYS stats --report cuda_gpu_trace --format csv /tmp/p_$$.nsys-rep 2>/dev/null | tail -6 > $O/trace_$(echo $cfg | tr ' ' _).csv
    cat $O/trace_$(echo $cfg | tr ' ' _).csv | cut -c1-160
  done
fi
