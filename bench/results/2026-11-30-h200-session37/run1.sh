#!/bin/bash
# Two A/Bs of one_kernel.py (us per launch, alternated, two rounds; build with
# ../2026-11-30-h200-session36/prepare_builds.sh, carry build-lead, build-n80, build-exp):
#   d256: build-n80 (fa3_d256_n80.diff: 80-key tiles for dense/varlen K/V) against build-lead
#   d64/d128: build-exp (early_k_all.diff: early K copies at three stages too) against build-lead
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
time_one() { # round lib head_dim variant...
  local round=$1 lib=$2 d=$3; shift 3
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
    python3 bench/one_kernel.py "$@" --head-dim $d --repeat 20 2>&1 | sed "s/^/$round $lib d$d /" | tail -1
}
for round in 1 2; do
  for lib in lead n80; do
    for v in none causal "sliding_window window_left=1024" "sink_window window=1024"; do
      time_one $round $lib 256 $v
    done
  done
done | tee $OUT/n80.txt
for round in 1 2; do
  for lib in lead exp; do
    for d in 64 128; do
      for v in none causal; do
        time_one $round $lib $d $v
      done
    done
  done
done | tee $OUT/early_k_all.txt
