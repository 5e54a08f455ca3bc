#!/bin/bash
# Session 30, run2: ncu counters (bench/ncu_decode.sh, tensor pipe added) of bf16 and fp8 decodes
# reading the same bytes (fp8 at L against bf16 at L / 2). build-lead = HEAD + its
# paged_decode_bench (built as that file's header says). From the repo root, $OUT set.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
timeout 500 sh bench/ncu_decode.sh build-lead "8 16384 16 nhd bf16" "8 32768 16 nhd fp8e4m3" "8 32768 16 hdb fp8e4m3" \
  "64 2048 16 nhd bf16" "64 4096 16 nhd fp8e4m3" "1 65536 16 nhd bf16" "1 131072 16 nhd fp8e4m3" > $OUT/ncu.txt 2>&1
echo "ncu rc $?"; cat $OUT/ncu.txt
