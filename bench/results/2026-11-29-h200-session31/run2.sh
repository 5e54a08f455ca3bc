#!/bin/bash
# Session 31, run2: the decode with at most 8 query rows a KV head computing the upper half of
# its m16 tiles only (build-exp = HEAD + halves_experiment.diff: FA_DEC_HALVES 1 for decode keys
# of GQA <= 8 without decode_rows; the mma's padding rows go to scratch registers, softmax and
# masks skip them) against HEAD (build-lead), alternated, under CUDA graphs. Repo root, $OUT set.
set -u
S=bench/results/2026-11-29-h200-session30
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export HL_ROWS=nhd:16:bf16,nhd:16:fp8e4m3,hdb:16:bf16,hdb:16:fp8e4m3 HL_SHAPES=1x131072,8x32768,64x4096
for t in lead:lead exp:exp lead:lead2 exp:exp2; do b=${t%%:*}
  FADSL_LIBRARY=$PWD/build-$b/libfadsl.so FADSL_CACHE_DIR=/tmp/fadsl-cache-$b timeout 110 \
    python3 $S/half_length_graphs.py $OUT ${t#*:} 2>&1 | grep -v "sdpa_flash\|fadsl: comp"
done
