#!/bin/bash
# NOT RUN: what session 36 left for the device (no device time was left).
#   bash next_session.sh a   bench/run.py --sections prefill on build-lead: d256 after
#                            FA3_EARLY_K against cuDNN, FA2 and FlexAttention in one process
#                            (session 36 divided run5's times by run3's cuDNN figures).
#   bash next_session.sh b   early K at three stages too (d64/d128): build-exp = this tree
#                            with early_k_all.diff applied, build-lead = without; one_kernel.py
#                            A/B alternated, then gpu_fwd on build-exp. Keep it only if faster.
# Build first: cmake --build build-lead; for b, a worktree at HEAD with the diff applied,
# built as build-exp. Repo root, $OUT set, build-lead and build-exp carried.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
case ${1:-} in
a)
  FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0 timeout 540 \
    python3 bench/run.py --sections prefill --out $OUT > $OUT/prefill.txt 2>&1
  echo "rc $?"; grep "hd256\|failures" $OUT/prefill.txt
  ;;
b)
  for round in 1 2; do
    for lib in lead exp; do
      for d in 64 128; do
        for v in none causal "sliding_window window_left=1024"; do
          FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
            python3 bench/one_kernel.py $v --head-dim $d --repeat 20 2>&1 | sed "s/^/$round $lib d$d /" | tail -1
        done
      done
    done
  done
  (cd build-exp && FADSL_CACHE_DIR=/tmp/fc-exp timeout 300 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/gpu.txt
  ;;
*) echo "usage: next_session.sh a|b" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
