#!/bin/bash
# The row copy as committed (unrolled 4 at d128-d256, fully at d64: build-exp) against
# build-lead = 818f279 at d64 and d128, then gpu_fwd on build-exp.
set -u
mkdir -p $OUT/logs
for lib in lead exp lead exp; do
  for d in 64 128; do
    for v in none causal; do
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
        python3 bench/one_kernel.py $v --head-dim $d --heads $((2048 / d)) --repeat 20 2>&1 | sed "s/^/$lib d$d $v /" | tail -1
    done
  done
done | tee $OUT/copy_ab.txt
(cd build-exp && FADSL_CACHE_DIR=/tmp/fc-exp timeout 170 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
