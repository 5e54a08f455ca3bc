#!/bin/bash
# Dense/varlen K/V copies in the paged NHD shape (each producer thread one 16-byte column,
# rows stepped by a pointer): build-lead = 818f279, build-exp = that copy unrolled 1,
# build-probe = unrolled 4. one_kernel.py A/B (B=2, S=8192, bf16, heads x d = 2048 as
# run.py's prefill), two rounds; then gpu_fwd on build-exp.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for round in 1 2; do
  for lib in lead exp probe; do
    [ $round = 2 ] && [ $lib = probe ] && continue
    for d in 64 128 192 256; do
      for v in none causal; do
        FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
          python3 bench/one_kernel.py $v --head-dim $d --heads $((2048 / d)) --repeat 20 2>&1 | sed "s/^/$round $lib d$d $v /" | tail -1
      done
    done
  done
done | tee $OUT/copy_ab.txt
(cd build-exp && FADSL_CACHE_DIR=/tmp/fc-exp timeout 240 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
