#!/bin/sh
# ncu counters of paged decode launches (bench/paged_decode_bench.c, one row each): kernel
# and merge durations, DRAM throughput, tensor pipe activity, stall reasons. Run on the device from the repo root
# after building BUILD (default build-lead) and its paged_decode_bench:
#   sh bench/ncu_decode.sh [BUILD] ["BATCH LEN BS nhd|hdb bf16|fp8e4m3|fp8e5m2" ...]
# Launches 6 and 7 are profiled (after warm-up): a decode and its merge when split.
BUILD=${1:-build-lead}
[ $# -gt 0 ] && shift
[ $# -eq 0 ] && set -- "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "1 131072 16 nhd bf16" "1 131072 16 nhd fp8e4m3"
export FADSL_CACHE_DIR=${FADSL_CACHE_DIR:-/tmp/fc}
M=gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,smsp__inst_executed.sum
M=$M,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum,smsp__warps_active.avg.per_cycle_active
M=$M,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active
for s in barrier long_scoreboard short_scoreboard wait mio_throttle lg_throttle math_pipe_throttle no_instruction not_selected; do
    M=$M,smsp__average_warps_issue_stalled_${s}_per_issue_active.ratio
done
for cfg in "$@"; do
    echo "== $cfg"
    # shellcheck disable=SC2086 # cfg is five words
    ncu --metrics "$M" --launch-skip 6 --launch-count 2 "$BUILD/paged_decode_bench" $cfg 2>&1 |
        grep -E "^\||fa_|duration|throughput|inst_exec|conflicts|stalled|warps_active|issue_active|hmma"
done
