#!/bin/sh
# ncu counters of the cuDNN SDPA kernels and fadsl's decode (and merge) kernels on the same
# data (bench/ncu_peers.py): duration, DRAM bytes and throughput, SM activity spread.
# Run on the device from the repo root: sh bench/ncu_peers.sh LIB [ncu_peers.py args]
LIB=${1:?libfadsl.so}
shift
M=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum
M=$M,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__cycles_active.avg,sm__cycles_active.max
M=$M,gpc__cycles_elapsed.max,launch__grid_size,launch__block_size,launch__registers_per_thread
M=$M,launch__occupancy_limit_shared_mem,sm__warps_active.avg.pct_of_peak_sustained_active
FADSL_LIBRARY=$LIB ncu --nvtx --nvtx-include "prof/" --metrics "$M" --csv python3 bench/ncu_peers.py "$@"
