#!/bin/bash
# Session 32, run8: gpu_paged on HEAD after the decode_rows refusal (its cases check the key's
# decode_rows the runtime picks). build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 220 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/gpu_paged.txt | head
gzip $OUT/gpu_paged.txt
