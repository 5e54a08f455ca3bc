#!/bin/bash
# NOT RUN: what session 38 left for the device (its device time ran out after run7). Build
# with prepare_builds.sh (build-lead = HEAD; build-pu4, build-d96 and build-d96b: HEAD with
# this folder's diffs), carry what a part uses (a, d: build-lead and build-pu4; b, c:
# build-lead; e: build-lead, build-d96 and build-d96b; f, g: build-lead and build-m192), run
# from the repository root with
# $OUT set, one part a call (each under 600 s):
#   bash next_session.sh a   chunked prefill against the dense kernel (issue #5's bar: within
#                            15%; the dense kernel got 1.13x faster at d128, the paged copy was
#                            already in the new shape) at d128/d192/d256 on build-lead and
#                            build-pu4 (fa3_paged_unroll4.diff: the paged NHD copy unrolled 4
#                            passes, or a block's; it drops the d256 paged key's 64-byte
#                            spill; apply it if it is no slower), then the peers' prefill table at
#                            d64/d128 with session 38's K/V copy (1.13-1.18x the kernel
#                            before it at d128-d256; run4's table predates it)
#   bash next_session.sh b   the same at d256, then the FlexAttention variants table
#   bash next_session.sh c   correctness with the new copy: gpu_fwd (its dense_decode test
#                            was cut short in run7), gpu_random and Python fuzz on new seeds
#   bash next_session.sh d   the Python GPU tests (on a cold cache they took more than 150 s
#                            in run2), then gpu_paged on build-pu4
#   bash next_session.sh e   d96 on the Hopper template (prepare_builds.sh: build-d96 =
#                            fa3_d96.diff, P.V n128 over d128's tiles; build-d96b = also
#                            fa3_d96_pv96.diff, P.V n96): gpu_fwd on each (every variant at
#                            d96 among the others), then one_kernel.py at d96 against build-lead
#                            (fa2_fwd). Apply fa3_d96.diff if its gpu_fwd passes and it is
#                            faster; then pv96 on top if that passes too and is faster still
#   bash next_session.sh f   d64 in 192-row tiles (fa3_d64_m192.diff: three consumer
#                            warpgroups, as FlashAttention-3 has at d64, for light variants
#                            without a score over 16-bit K/V): gpu_fwd on build-m192, then
#                            one_kernel.py at d64 against build-lead (S=1024 B=16 and
#                            S=8192 B=2, 32 heads; softcap keeps 128 rows: the A/B's noise)
#   bash next_session.sh g   gpu_paged on build-m192 (paged d64 chunks take the 192-row tiles)
#                            Apply fa3_d64_m192.diff if f and g pass and f is faster
# If an H100 is lent: ../2026-11-29-h200-session28/next_h100.sh a, b, c first.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0
case ${1:-} in
a | b)
  dims=$([ "$1" = a ] && echo 64,128 || echo 256)
  if [ "$1" = a ]; then
    for b in lead pu4; do
      for d in 128 192 256; do
        echo "== build-$b hd$d"
        FADSL_CACHE_DIR=/tmp/fc-$b FADSL_LIBRARY=$PWD/build-$b/libfadsl.so timeout 60 \
          python3 bench/chunked_prefill.py --head-dim $d
      done
    done > $OUT/chunked.txt 2>&1
    cat $OUT/chunked.txt
  fi
  timeout 420 python3 bench/run.py --sections prefill --head-dims $dims --out $OUT > $OUT/prefill.txt 2>&1
  echo "prefill rc $?"; grep "prefill hd\|failures" $OUT/prefill.txt
  if [ "$1" = b ]; then
    timeout 150 python3 bench/run.py --sections variants --out $OUT/variants > $OUT/variants.txt 2>&1
    echo "variants rc $?"; grep "variants hd\|failures" $OUT/variants.txt
  fi
  find $OUT -name '*.png' -delete
  ;;
c)
  (cd build-lead && timeout 200 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head
  (cd build-lead && FA_GPU_RANDOM_SEED=5061 FA_GPU_RANDOM_CASES=60 timeout 100 ./fadsl_tests gpu_random \
    > $OUT/logs/random.txt 2>&1; echo "random rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
  FADSL_FUZZ_SEED=5580 FADSL_FUZZ_CASES=60 timeout 100 python3 -m pytest -q -p no:cacheprovider \
    python/tests/test_gpu_fuzz.py > $OUT/logs/py_fuzz.txt 2>&1
  echo "py fuzz rc $?"; tail -2 $OUT/logs/py_fuzz.txt
  ;;
d)
  timeout 300 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py > $OUT/logs/py_gpu.txt 2>&1
  echo "py gpu rc $?"; tail -2 $OUT/logs/py_gpu.txt
  (cd build-pu4 && FADSL_CACHE_DIR=/tmp/fc-pu4 timeout 250 ./fadsl_tests gpu_paged > $OUT/logs/paged-pu4.txt 2>&1
   echo "pu4 paged rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/paged-pu4.txt | head
  ;;
e)
  for b in d96 d96b; do
    (cd build-$b && FADSL_CACHE_DIR=/tmp/fc-$b timeout 170 ./fadsl_tests gpu_fwd > $OUT/logs/gpu-$b.txt 2>&1
     echo "$b gpu rc $?")
    grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu-$b.txt | head -6
  done
  for round in 1 2; do
    for b in lead d96 d96b; do
      for v in none causal; do
        FADSL_CACHE_DIR=/tmp/fc-$b FADSL_LIBRARY=$PWD/build-$b/libfadsl.so timeout 60 python3 bench/one_kernel.py \
          $v --head-dim 96 --heads 21 --repeat 20 2>&1 | sed "s/^/$round $b d96 /" | tail -1
      done
    done
  done | tee $OUT/d96_ab.txt
  ;;
f)
  (cd build-m192 && FADSL_CACHE_DIR=/tmp/fc-m192 timeout 200 ./fadsl_tests gpu_fwd > $OUT/logs/gpu-m192.txt 2>&1
   echo "m192 gpu rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu-m192.txt | head -6
  for round in 1 2; do
    for b in lead m192; do
      for shape in "--seqlen 1024 --batch 16" "--seqlen 8192 --batch 2"; do
        for v in none causal softcap; do
          p=$([ $v = softcap ] && echo cap=30.0)
          FADSL_CACHE_DIR=/tmp/fc-$b FADSL_LIBRARY=$PWD/build-$b/libfadsl.so timeout 60 python3 bench/one_kernel.py \
            $v $p --head-dim 64 --heads 32 $shape --repeat 20 2>&1 | sed "s/^/$round $b d64 $shape /" | tail -1
        done
      done
    done
  done | tee $OUT/m192_ab.txt
  ;;
g)
  (cd build-m192 && FADSL_CACHE_DIR=/tmp/fc-m192 timeout 400 ./fadsl_tests gpu_paged > $OUT/logs/paged-m192.txt 2>&1
   echo "m192 paged rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/paged-m192.txt | head
  ;;
*) echo "usage: next_session.sh a|b|c|d|e|f|g" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
