#!/bin/bash
# Session 31, run5: the review's test additions on the GPU: gpu_paged (162 cases: the last
# sequence overrunning max_seqlen_q on split decodes, whose partials went past the workspace,
# and the 4 KiB guard past every workspace) and gpu_checks. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
(cd build-lead && timeout 400 ./fadsl_tests gpu_paged gpu_checks > $OUT/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed\|above max_seqlen_q" $OUT/gpu.txt | head -20
gzip $OUT/gpu.txt
