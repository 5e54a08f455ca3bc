#!/bin/bash
# NOT RUN: the check for fa3_d256.diff (head dim 256 on the sm_90a wgmma template: 64-key
# tiles in two stages, 16-bit K/V; fp8 caches stay on fa2_fwd). Session 35 wrote it with no
# device time left: every d256 key it plans compiles without spills under NVRTC 13 except
# causal_alibi (36 bytes) and document (60 bytes), and the CPU suites, cubins suites and
# Python CPU tests pass with it applied. Before the device calls, on the build machine:
#   git apply bench/results/2026-11-30-h200-session35/fa3_d256.diff
#   cmake --build build-lead -j2          (build-exp = the tree without it, for part b)
# Then, each under the 600 s limit, with $OUT set and build-lead (and build-exp) carried:
#   bash next_fa3_d256.sh a   correctness: gpu_fwd (every variant at d256 now on fa3_fwd,
#                             dense and varlen), gpu_paged (4 new d256 chunk cases, NHD/HDB)
#   bash next_fa3_d256.sh b   speed: one_kernel.py at d256 (causal, none, sliding_window,
#                             sink_window, softcap: scalar parameters only) on build-exp and
#                             build-lead, and bench/document_mask.py --head-dim 256
# Apply the diff for good only if part a passes and part b shows fa3 faster; update
# README.md's d256 figures from bench/run.py --sections prefill then.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
case ${1:-} in
a)
  (cd build-lead && FADSL_CACHE_DIR=/tmp/fc-lead timeout 500 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
  ;;
b)
  for lib in exp lead; do
    for v in causal none "sliding_window window_left=1024" "sink_window window=1024" softcap; do
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
        python3 bench/one_kernel.py $v --head-dim 256 --repeat 20 2>&1 | sed "s/^/$lib d256 /" | tail -1
    done
  done
  FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 200 \
    python3 bench/document_mask.py --head-dim 256 --out $OUT/document-d256 > $OUT/logs/document.txt 2>&1
  echo "document rc $?"; tail -6 $OUT/logs/document.txt
  ;;
*) echo "usage: next_fa3_d256.sh a|b" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
