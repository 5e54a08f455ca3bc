#!/bin/bash
# fa3_fwd at d256 (two stages): the producer copies a tile's K once the stage's K is read,
# before waiting for its V (FA3_EARLY_K). A/B of one_kernel.py d256, build-exp = before
# (24ad334), build-lead = with it, alternated; then gpu_fwd and gpu_paged on build-lead.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
for round in 1 2; do
  for lib in exp lead; do
    for v in none causal "sliding_window window_left=1024" "sink_window window=1024"; do
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
        python3 bench/one_kernel.py $v --head-dim 256 --repeat 20 2>&1 | sed "s/^/$round $lib d256 /" | tail -1
    done
  done
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc-lead timeout 360 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
