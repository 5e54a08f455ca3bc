#!/bin/bash
# NOT RUN: what session 36 left for the device (no device time was left).
#   bash next_session.sh a   bench/run.py --sections prefill on build-lead: d256 after
#                            FA3_EARLY_K against cuDNN, FA2 and FlexAttention in one process
#                            (session 36 divided run5's times by run3's cuDNN figures).
#   bash next_session.sh b   early K at three stages too (d64/d128): build-exp = this tree
#                            with early_k_all.diff applied, build-lead = without; one_kernel.py
#                            A/B alternated, then gpu_fwd on build-exp. Keep it only if faster.
#   bash next_session.sh c   the dense decode template's d256 row limit (64, set in session 26
#                            against the FA2-class forward, 0.72x its time at 64 rows, 1.39x
#                            at 80) against the Hopper forward d256 runs on now: build-probe =
#                            this tree with dense_rows_probe.diff (limit 512), so "fadsl none"
#                            is the decode template at every row count and "forward" the
#                            forward template. Lower runtime/paged.c's d256 limit to where
#                            decode stops winning, then run gpu_fwd (every case checks its route).
#                            Then gpu_paged on build-lead (168 cases: session 36 added two d256
#                            HDB chunks that have not run yet).
#   bash next_session.sh d   80-key tiles at d256 for dense and varlen K/V (fa3_d256_n80.diff:
#                            FlashAttention-3's tile there, 224 KB in two stages; paged caches
#                            keep 64): build-n80 = this tree with the diff; one_kernel.py A/B
#                            against build-lead, alternated, then gpu_fwd on build-n80. Apply
#                            for good only if gpu_fwd passes and it is faster.
# Build first with prepare_builds.sh (build-lead; build-exp, build-probe, build-n80: HEAD
# with early_k_all.diff, dense_rows_probe.diff, fa3_d256_n80.diff). Repo root, $OUT set,
# the builds a part uses carried (a: lead; b: lead, exp; c: lead, probe; d: lead, n80).
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
case ${1:-} in
a)
  FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0 timeout 540 \
    python3 bench/run.py --sections prefill --out $OUT > $OUT/prefill.txt 2>&1
  echo "rc $?"; grep "hd256\|failures" $OUT/prefill.txt
  # the device returns a few files only (session 36's run3 lost results.json/.md to the plots)
  (cd $OUT && tar czf plots.tgz */*.png && rm -f */*.png)
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
c)
  D=8:8192:32:8:256
  FADSL_CACHE_DIR=/tmp/fc-probe FADSL_LIBRARY=$PWD/build-probe/libfadsl.so timeout 400 python3 bench/dense_decode.py \
    --graphs --shapes $D:4,$D:8,$D:12,$D:16,$D:20,$D:24 --out $OUT/rows > $OUT/logs/rows.log 2>&1
  echo "rows rc $?"; cp $OUT/rows/dense_decode.md $OUT/rows_sweep.md; grep "fadsl" $OUT/rows_sweep.md
  (cd build-lead && FADSL_CACHE_DIR=/tmp/fc-lead timeout 300 ./fadsl_tests gpu_paged > $OUT/logs/paged.txt 2>&1; echo "paged rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/paged.txt
  ;;
d)
  for round in 1 2; do
    for lib in lead n80; do
      for v in none causal "sliding_window window_left=1024" "sink_window window=1024"; do
        FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
          python3 bench/one_kernel.py $v --head-dim 256 --repeat 20 2>&1 | sed "s/^/$round $lib d256 /" | tail -1
      done
    done
  done
  (cd build-n80 && FADSL_CACHE_DIR=/tmp/fc-n80 timeout 300 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|passed, " $OUT/logs/gpu.txt
  ;;
*) echo "usage: next_session.sh a|b|c|d" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
