#!/bin/bash
# Session 19 run 1: the half-length yardstick under both L2 flushes (H100).
set -x
nvidia-smi --query-gpu=name,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fadsl-cache
D=bench/results/2026-11-28-h100-session19
python3 $D/half_length.py $OUT write > $OUT/half_length_write.txt 2>&1
python3 $D/half_length.py $OUT read > $OUT/half_length_read.txt 2>&1
tail -3 $OUT/*.txt
