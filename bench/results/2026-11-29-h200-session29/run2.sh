#!/bin/bash
# Session 29, run 2 (H200): the GPU suites run 1 left out or did not finish (its 300 s limit
# ran out in gpu_paged's sequential compiles, 92 cases in), with gpu_paged now compiling its
# kernels ahead on one worker thread a CPU (prewarm_cases). Each suite timed on a fresh cache.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-s29-cache
cd build-lead
for s in gpu_paged rt_gpu gpu_random gpu_checks; do
  t0=$SECONDS
  timeout 420 ./fadsl_tests $s > $OUT/logs/$s.txt 2>&1; rc=$?
  echo "$s rc $rc $((SECONDS - t0)) s" | tee -a $OUT/summary.txt
  grep -h "within bounds\|paged cases\|FAIL\|Run Summary\|asserts\|tests " $OUT/logs/$s.txt | tail -6
done
# logs come back as they are (six files), even if the call runs out of time
