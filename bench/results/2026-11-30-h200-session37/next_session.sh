#!/bin/bash
# NOT RUN: what session 37 left for the device (its device time ran out). Build with
# prepare_builds.sh (build-lead = HEAD, build-p192 = HEAD + fa3_paged_d192.diff), carry what
# a part uses (a, b: build-lead; c: build-p192), run from the repo root with $OUT:
#   bash next_session.sh a   the d192 Hopper kernel's remaining checks: gpu_fwd (its
#                            dense_decode test did not finish in run6), gpu_random (new
#                            seeds), the Python GPU tests (causal at d96/d192 added)
#   bash next_session.sh b   d192 against FlexAttention in one process (document_mask.py:
#                            document and causal), and run.py's prefill d64/d128/d256 again
#   bash next_session.sh c   paged d192 on fa3_fwd (fa3_paged_d192.diff, 16-bit and fp8
#                            caches): gpu_paged on build-p192 (174 cases, six of them new
#                            d192 chunks). Apply the
#                            diff if all pass (the dense d192 kernel ran 1.7x fa2_fwd's speed;
#                            no script times paged d192 chunks yet)
# If an H100 is lent: ../2026-11-29-h200-session28/next_h100.sh a, b, c first.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
case ${1:-} in
a)
  (cd build-lead && timeout 300 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head
  (cd build-lead && FA_GPU_RANDOM_SEED=5001 FA_GPU_RANDOM_CASES=60 timeout 120 ./fadsl_tests gpu_random \
    > $OUT/logs/random.txt 2>&1; echo "random rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
  timeout 150 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py > $OUT/logs/py_gpu.txt 2>&1
  echo "py gpu rc $?"; tail -3 $OUT/logs/py_gpu.txt
  ;;
b)
  FADSL_LOG=0 timeout 150 python3 bench/document_mask.py --head-dim 192 --out $OUT/doc192 > $OUT/logs/doc.log 2>&1
  echo "doc rc $?"; grep "^|" $OUT/doc192/document_mask.md
  FADSL_LOG=0 timeout 400 python3 bench/run.py --sections prefill --out $OUT > $OUT/prefill.txt 2>&1
  echo "prefill rc $?"; grep "prefill hd\|failures" $OUT/prefill.txt
  (cd $OUT && tar czf plots.tgz */*.png && rm -f */*.png)
  ;;
c)
  (cd build-p192 && FADSL_CACHE_DIR=/tmp/fc-p192 timeout 400 ./fadsl_tests gpu_paged > $OUT/logs/paged.txt 2>&1; echo "paged rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/paged.txt | head
  ;;
*) echo "usage: next_session.sh a|b|c" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
