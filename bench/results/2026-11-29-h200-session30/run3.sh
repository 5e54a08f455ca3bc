#!/bin/bash
# Session 30, run3: fp8 NHD d128 decodes compiled for more CTAs an SM (build-exp3 =
# HEAD + fp8_nhd_occupancy_experiment.diff: 128 x 4 tiles for three, 64 x 2 for five)
# against HEAD (build-lead), alternated; then ncu of both at 8 x 32768. Repo root, $OUT set.
set -u
S=bench/results/2026-11-29-h200-session30
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export HL_ROWS=nhd:16:bf16,nhd:16:fp8e4m3,nhd:16:fp8e5m2 HL_SHAPES=1x131072,8x32768,64x4096
for t in lead:lead exp3:exp3 lead:lead2 exp3:exp3b; do b=${t%%:*}
  FADSL_LIBRARY=$PWD/build-$b/libfadsl.so FADSL_CACHE_DIR=/tmp/fadsl-cache-$b timeout 100 \
    python3 $S/half_length_graphs.py $OUT/hl ${t#*:} 2>&1 | grep -v "sdpa_flash\|fadsl: comp"
done
for b in lead exp3; do
  timeout 100 sh bench/ncu_decode.sh build-$b "8 32768 16 nhd fp8e4m3" "64 4096 16 nhd fp8e4m3" > $OUT/ncu_$b.txt 2>&1
  grep -E "^\||duration|dram__|issue_active|warps_active" $OUT/ncu_$b.txt | awk '!s[$0]++'
done
