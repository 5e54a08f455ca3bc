#!/bin/bash
# ANCHORS' prefill table (bf16, d64/128/256, causal and not) with peers in one process.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0 timeout 540 \
  python3 bench/run.py --sections prefill --out $OUT > $OUT/prefill.txt 2>&1
echo "rc $?"; tail -40 $OUT/prefill.txt
