#!/bin/bash
# Session 19 run 2: HDB fp8 split decodes with a fixed first share (no claims before the
# first copies) against HEAD's library (build-exp/lib_head.so), alternated twice in one
# call; NHD fp8 and bf16 rows as controls; then FADSL_DETERMINISTIC=1 (no claims) once.
D=bench/results/2026-11-28-h100-session19
export FADSL_CACHE_DIR=/tmp/fadsl-cache HL_ROWS=hdb:16:bf16,hdb:16:fp8e4m3,nhd:16:fp8e4m3
export HL_SHAPES=1x32768,1x65536,1x131072,8x16384,8x32768
for r in 1 2; do
  FADSL_LIBRARY=$PWD/build-exp/lib_head.so python3 $D/half_length.py $OUT write head$r > $OUT/ab_head$r.txt 2>&1
  FADSL_LIBRARY=$PWD/build-lead/libfadsl.so python3 $D/half_length.py $OUT write new$r > $OUT/ab_new$r.txt 2>&1
done
FADSL_DETERMINISTIC=1 FADSL_LIBRARY=$PWD/build-lead/libfadsl.so python3 $D/half_length.py $OUT write det > $OUT/ab_det.txt 2>&1
grep -h "fp8" $OUT/ab_*.txt | sort -k1,3 -s
