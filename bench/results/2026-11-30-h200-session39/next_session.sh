#!/bin/bash
# NOT RUN: what session 39 left for the device. Build with prepare_builds.sh (build-lead =
# HEAD, build-tma = HEAD + fa3_tma.diff, build-fp8b = HEAD + fa3_fp8_d256.diff), then from
# the repository root with $OUT set, one part a call, in this order (a-d about 25 minutes
# with the start; e if time is left):
#   bash next_session.sh a   correctness of build-tma (carry build-tma): gpu_fwd (all_variants
#                            on TMA, copy_path with FADSL_NO_FWD_TMA=1, dense_decode), then
#                            compute-sanitizer memcheck on a twentieth of gpu_fwd's grid
#   bash next_session.sh b   timing (carry build-tma): tma_ab.py, TMA against the copies in
#                            one process, same kernel, outputs compared bit for bit; then
#                            gpu_random on new seeds
#   bash next_session.sh c   fp8 caches at d256 (carry build-lead, build-fp8b): chunked prefill
#                            at d256 on each, two rounds (one 16-bit stage and two byte
#                            stages against two and one), then gpu_paged on build-fp8b
#   bash next_session.sh d   the peers' prefill table at d64/d128 on build-tma (carry
#                            build-tma), against session 39's run4 on build-lead's kernels
#   bash next_session.sh e   the Python GPU tests on build-tma (more than 150 s on a cold
#                            cache; carry build-tma)
# Apply fa3_tma.diff if a and b pass and tma_ab.py shows TMA no slower anywhere (else look
# at where it loses before deciding: the switch is per launch, a plan bit could keep TMA
# for the head dims it wins at); fa3_fp8_d256.diff if c passes and its fp8 chunks are
# faster. Each diff applies alone to HEAD (c232571 and later); the second of the two on top with
# `git apply -3` (their context overlaps in templates/README.md and the producer loop).
# If an H100 is lent: ../2026-11-29-h200-session28/next_h100.sh a, b, c first.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_LOG=0 FADSL_CACHE_DIR=/tmp/fc-tma FADSL_LIBRARY=$PWD/build-tma/libfadsl.so
case ${1:-} in
a)
  (cd build-tma && timeout 330 ./fadsl_tests gpu_fwd > $OUT/logs/gpu_fwd.txt 2>&1; echo "gpu_fwd rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_fwd.txt | head -8
  (cd build-tma && FA_GPU_TEST_STRIDE=20 timeout 150 compute-sanitizer --tool memcheck ./fadsl_tests gpu_fwd \
    > $OUT/logs/memcheck.txt 2>&1; echo "memcheck rc $?")
  grep -h "ERROR SUMMARY\|within bounds\|passed, " $OUT/logs/memcheck.txt | head -6
  ;;
b)
  timeout 200 python3 bench/results/2026-11-30-h200-session39/tma_ab.py --rounds 3 2>&1 | tee $OUT/tma_ab.txt
  (cd build-tma && FA_GPU_RANDOM_SEED=5121 FA_GPU_RANDOM_CASES=60 timeout 120 ./fadsl_tests gpu_random \
    > $OUT/logs/random.txt 2>&1; echo "random rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
  ;;
c)
  for round in 1 2; do
    for b in lead fp8b; do
      echo "== round $round build-$b"
      FADSL_CACHE_DIR=/tmp/fc-$b FADSL_LIBRARY=$PWD/build-$b/libfadsl.so timeout 60 \
        python3 bench/chunked_prefill.py --head-dim 256
    done
  done 2>&1 | tee $OUT/chunked256.txt
  (cd build-fp8b && FADSL_CACHE_DIR=/tmp/fc-fp8b timeout 200 ./fadsl_tests gpu_paged > $OUT/logs/gpu_paged.txt 2>&1
   echo "gpu_paged rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_paged.txt | head -6
  ;;
d)
  timeout 330 python3 bench/run.py --sections prefill --head-dims 64,128 --out $OUT > $OUT/prefill.txt 2>&1
  echo "prefill rc $?"; grep "prefill hd\|failures" $OUT/prefill.txt
  find $OUT -name '*.png' -delete
  ;;
e)
  timeout 240 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py > $OUT/logs/py_gpu.txt 2>&1
  echo "py gpu rc $?"; tail -2 $OUT/logs/py_gpu.txt
  ;;
*) echo "usage: next_session.sh a|b|c|d|e" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
