#!/bin/bash
# Session 19 run 4: block-table entries of the first tiles loaded while seq_lens loads
# (build-lead) against 38eb497 (build-exp/lib_fixed.so: fixed-share claims) and 71354b4
# (build-exp/lib_head.so), alternated twice in one call. 1 x 16384 runs first as a warm-up
# (a process's first shape reads high); then the SASS order of the start loads.
D=bench/results/2026-11-28-h100-session19
export FADSL_CACHE_DIR=/tmp/fadsl-cache
export HL_SHAPES=1x16384,1x65536,1x131072,8x32768,64x4096
for r in 1 2; do
  for lib in head:build-exp/lib_head.so fixed:build-exp/lib_fixed.so early:build-lead/libfadsl.so; do
    FADSL_LIBRARY=$PWD/${lib#*:} python3 $D/half_length.py $OUT write ${lib%%:*}$r > $OUT/ab_${lib%%:*}$r.txt 2>&1
  done
done
build-lead/fa-dslc none --arch sm_90a --paged 16 --layout nhd --head-dim 128 --gqa 4 --dtype bf16 --decode --emit cubin -o /tmp/d.cubin
cuobjdump -sass /tmp/d.cubin | grep -E "LDG|UTMALDG|SYNCS|BAR|ATOM" | head -20 > $OUT/sass_start.txt
grep -h " us$" $OUT/ab_*.txt | grep -v -E "16384|flash" | sort -s -k1,3
