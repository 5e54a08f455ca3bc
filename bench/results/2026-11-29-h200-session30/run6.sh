#!/bin/bash
# Session 30, run6: sink tiles past the key range (fa_tiles_of). build-lead = the fix (tests
# and templates), build-ctl = the same tests over the previous templates. gpu_random seeds
# 2794 and 2939 (failed in run5), gpu_paged and gpu_fwd (with the new head3_sinks150 cases),
# then a quick timing of both libraries (the decode's prologue changed). Repo root, $OUT set.
set -u
S=bench/results/2026-11-29-h200-session30
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fc-lead
for s in 2794 2939; do
  FA_GPU_RANDOM_CASES=1 FA_GPU_RANDOM_SEED=$s timeout 60 ./build-lead/fadsl_tests gpu_random > $OUT/gpu_random_$s.txt 2>&1
  echo "seed $s rc $?"; grep -h "seed $s " $OUT/gpu_random_$s.txt | cut -c1-150
done
(cd build-lead && timeout 320 ./fadsl_tests gpu_paged gpu_fwd > $OUT/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed\|head3" $OUT/gpu.txt | cut -c1-170 | head -20
export HL_ROWS=nhd:16:bf16,hdb:16:fp8e4m3 HL_SHAPES=1x131072,64x4096
for t in lead:lead ctl:ctl lead:lead2 ctl:ctl2; do b=${t%%:*}
  FADSL_LIBRARY=$PWD/build-$b/libfadsl.so FADSL_CACHE_DIR=/tmp/fc-hl-$b timeout 45 \
    python3 $S/half_length_graphs.py $OUT/hl ${t#*:} 2>&1 | grep -v "sdpa_flash\|fadsl: comp"
done
gzip $OUT/*.txt
