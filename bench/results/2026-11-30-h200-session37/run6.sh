#!/bin/bash
# build-d192 = 1032f33 with fa3_d192.diff (head dim 192 on fa3_fwd for dense/varlen 16-bit
# K/V: three stages of 64-key tiles), build-lead = 1032f33 (d192 on fa2_fwd). In the few
# minutes of device time left: gpu_fwd on build-d192, then one_kernel.py d192 A/B (two
# rounds), then the dense decode template against the new forward at 32-64 rows (d192).
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
(cd build-d192 && FADSL_CACHE_DIR=/tmp/fc-d192 timeout 150 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
for round in 1 2; do
  for lib in lead d192; do
    for v in none causal; do
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 30 \
        python3 bench/one_kernel.py $v --head-dim 192 --repeat 20 2>&1 | sed "s/^/$round $lib d192 /" | tail -1
    done
  done
done | tee $OUT/d192_ab.txt
D=8:8192:32:8:192
FADSL_CACHE_DIR=/tmp/fc-d192 FADSL_LIBRARY=$PWD/build-d192/libfadsl.so timeout 45 python3 bench/dense_decode.py \
  --graphs --shapes $D:8,$D:12,$D:16 --out $OUT/logs/rows > $OUT/logs/rows.log 2>&1
echo "rows rc $?"; cp $OUT/logs/rows/dense_decode.md $OUT/rows_sweep.md 2>/dev/null; grep "fadsl" $OUT/rows_sweep.md
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
