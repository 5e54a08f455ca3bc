#!/bin/bash
# NOT RUN: what session 38 left for the device (its device time ran out after run7). Build
# with prepare_builds.sh: build-lead = HEAD; build-pu4, build-m192, build-d96, build-d96b =
# HEAD with one of this folder's diffs each (d96b: fa3_d96.diff + fa3_d96_pv96.diff);
# build-all = HEAD + all_three.diff (fa3_d96, fa3_paged_unroll4 and fa3_d64_m192 together,
# their plan.c and templates/README.md overlaps merged). From the repository root with $OUT
# set, one part a call (each under 600 s), in this order (about 30 minutes in all; e last):
#   bash next_session.sh a   timing, each diff against build-lead in one process (carry
#                            build-lead, -pu4, -m192, -d96, -d96b):
#                            - chunked prefill (issue #5's bar: paged within 15% of dense; the
#                              dense kernel got 1.13x faster at d128 in session 38) at d128 and
#                              d256 on build-lead and build-pu4 (paged NHD copy unrolled 4)
#                            - d64 in 192-row tiles (build-m192: three consumer warpgroups, as
#                              FlashAttention-3 has, for light variants without a score;
#                              softcap keeps 128 rows: the A/B's noise), S=1024 B=16 and S=8192
#                              B=2, 32 heads
#                            - d96 on the Hopper template (build-d96: P.V n128 over d128's
#                              tiles; build-d96b: P.V n96) against fa2_fwd (build-lead)
#   bash next_session.sh b   correctness of build-all: gpu_fwd (every variant at d64 and d96
#                            among the others) and gpu_paged (carry build-all)
#   bash next_session.sh c   gpu_fwd on build-d96b (does wgmma read a 96-wide MN-major V
#                            across one and a half swizzle blocks?), then gpu_random and Python
#                            fuzz on new seeds on build-all (carry build-all, build-d96b)
#   bash next_session.sh d   the Python GPU tests on build-all (more than 150 s on a cold
#                            cache), then the peers' prefill table at d64/d128 on build-all
#                            (run4's table predates session 38's K/V copy) (carry build-all)
#   bash next_session.sh e   the peers' d256 prefill rows and the variants table (carry
#                            build-all)
# Apply all_three.diff if b passes and a shows none of the three slower (else the diffs that
# are faster, one by one: they apply alone to HEAD); fa3_d96_pv96.diff on top if c passes and
# a shows it faster than build-d96.
# If an H100 is lent: ../2026-11-29-h200-session28/next_h100.sh a, b, c first.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_LOG=0
use() { # build: the library and kernel cache the Python scripts take
    export FADSL_CACHE_DIR=/tmp/fc-$1 FADSL_LIBRARY=$PWD/build-$1/libfadsl.so
}
gpu_suite() { # build suite seconds
    (cd build-$1 && FADSL_CACHE_DIR=/tmp/fc-$1 timeout $3 ./fadsl_tests $2 > $OUT/logs/$2-$1.txt 2>&1
     echo "$1 $2 rc $?")
    grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/$2-$1.txt | head -6
}
case ${1:-} in
a)
  for b in lead pu4; do
    for d in 128 256; do
      echo "== build-$b hd$d"
      use $b; timeout 60 python3 bench/chunked_prefill.py --head-dim $d
    done
  done 2>&1 | tee $OUT/chunked.txt
  for round in 1 2; do
    for b in lead m192; do
      for shape in "--seqlen 1024 --batch 16" "--seqlen 8192 --batch 2"; do
        for v in none causal softcap; do
          p=$([ $v = softcap ] && echo cap=30.0)
          use $b; timeout 60 python3 bench/one_kernel.py $v $p --head-dim 64 --heads 32 $shape --repeat 20 2>&1 |
            sed "s/^/$round $b d64 $shape /" | tail -1
        done
      done
    done
    for b in lead d96 d96b; do
      for v in none causal; do
        use $b; timeout 60 python3 bench/one_kernel.py $v --head-dim 96 --heads 21 --repeat 20 2>&1 |
          sed "s/^/$round $b d96 /" | tail -1
      done
    done
  done | tee $OUT/ab.txt
  ;;
b)
  gpu_suite all gpu_fwd 200
  gpu_suite all gpu_paged 300
  ;;
c)
  gpu_suite d96b gpu_fwd 200
  (cd build-all && FA_GPU_RANDOM_SEED=5061 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fc-all timeout 120 \
    ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
  use all
  FADSL_FUZZ_SEED=5580 FADSL_FUZZ_CASES=60 timeout 120 python3 -m pytest -q -p no:cacheprovider \
    python/tests/test_gpu_fuzz.py > $OUT/logs/py_fuzz.txt 2>&1
  echo "py fuzz rc $?"; tail -2 $OUT/logs/py_fuzz.txt
  ;;
d | e)
  use all
  if [ "$1" = d ]; then
    timeout 240 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py > $OUT/logs/py_gpu.txt 2>&1
    echo "py gpu rc $?"; tail -2 $OUT/logs/py_gpu.txt
  fi
  dims=$([ "$1" = d ] && echo 64,128 || echo 256)
  timeout 330 python3 bench/run.py --sections prefill --head-dims $dims --out $OUT > $OUT/prefill.txt 2>&1
  echo "prefill rc $?"; grep "prefill hd\|failures" $OUT/prefill.txt
  if [ "$1" = e ]; then
    timeout 200 python3 bench/run.py --sections variants --out $OUT/variants > $OUT/variants.txt 2>&1
    echo "variants rc $?"; grep "variants hd\|failures" $OUT/variants.txt
  fi
  find $OUT -name '*.png' -delete
  ;;
*) echo "usage: next_session.sh a|b|c|d|e" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
