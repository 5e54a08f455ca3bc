#!/bin/bash
# Session 29, run 5 (H200): gpu_paged on the final test code (one stand-in address for the
# prewarm's requests), fresh cache; then which kernels still compiled after the first case ran.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-s29-cache
t0=$SECONDS
(cd build-lead && timeout 400 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $? $((SECONDS - t0)) s")
grep -h "paged cases\|asserts\|FAIL" $OUT/gpu_paged.txt
echo "compiled after the first case:"
awk '/  ok  /{seen=1} seen && /compiling/' $OUT/gpu_paged.txt | grep -o "compiling [^ ]* ([^)]*)" | awk '{print $3,$4}' | sort | uniq -c
