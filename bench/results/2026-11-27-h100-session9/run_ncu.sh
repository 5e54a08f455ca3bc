#!/bin/sh
# ncu of the decode kernel, base (3de3f02) against its nomath diagnostic build (tile loop
# without QK/softmax/PV), clocks locked (ncu default) and free: duration, DRAM throughput,
# SM / L2 / DRAM clocks, issue activity and stall reasons.
cd "$(dirname "$0")/../../.."
M=gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum
M=$M,sm__cycles_elapsed.avg.per_second,lts__cycles_elapsed.avg.per_second,dram__cycles_elapsed.avg.per_second
M=$M,smsp__issue_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,lts__t_sectors_srcunit_tex_op_read.sum
M=$M,lts__average_gcomp_input_sector_success_rate.pct,sm__warps_active.avg.pct_of_peak_sustained_active
for st in barrier long_scoreboard wait short_scoreboard; do M=$M,smsp__average_warps_issue_stalled_${st}_per_issue_active.ratio; done
for cc in base none; do
  for cfg in "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd bf16"; do
    for v in base nomath; do
      echo "== clocks $cc, $v, $cfg"
      FADSL_CACHE_DIR=/tmp/fn_$v ncu --clock-control $cc --metrics "$M" --kernel-name regex:fa_decode --launch-skip 5 --launch-count 1 build-lead/var/bench_$v $cfg 2>&1 | grep -E "duration|throughput|bytes|per_second|issue|inst_exec|sectors|stalled|warps_active"
    done
  done
done
