#!/bin/bash
# Where the d256 Hopper kernel's time goes (ncu counters of one launch each: d256 and, for
# comparison, d128, no mask, B=2 S=8192 16 heads), then correctness with new seeds:
# gpu_random from $1 and the Python fuzz from $2 (d256 16-bit keys now on fa3_fwd).
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0
M=gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,lts__throughput.avg.pct_of_peak_sustained_elapsed
M=$M,l1tex__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active
M=$M,smsp__inst_executed.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread
M=$M,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum,lts__t_sector_hit_rate.pct,dram__throughput.avg.pct_of_peak_sustained_elapsed
for s in barrier long_scoreboard short_scoreboard wait mio_throttle lg_throttle math_pipe_throttle no_instruction not_selected membar sleeping dispatch_stall; do
  M=$M,smsp__average_warps_issue_stalled_${s}_per_issue_active.ratio
done
for d in 256 128; do
  echo "== d$d none" | tee -a $OUT/ncu.txt
  timeout 120 ncu --metrics "$M" -k regex:fa3_fwd -s 1 -c 1 python3 bench/one_kernel.py none --head-dim $d >> $OUT/ncu.txt 2>&1
done
grep -E "==|fa3_fwd|duration|throughput|gmma|inst_exec|issue_active|registers|conflicts|hit_rate|stalled" $OUT/ncu.txt | awk '{$1=$1};1' | cut -c1-110
(cd build-lead && FA_GPU_RANDOM_SEED=$1 FA_GPU_RANDOM_CASES=60 timeout 100 ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
FADSL_FUZZ_SEED=$2 FADSL_FUZZ_CASES=60 timeout 150 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $OUT/logs/py_fuzz.txt 2>&1; echo "py fuzz rc $?"; tail -2 $OUT/logs/py_fuzz.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
