#!/bin/bash
# Session 35, run7 (one H200): gpu_fwd's two new scanning variants (docsinks: the first visit
# a sink tile; otherdocs: the diagonal tile visited first is often EMPTY) on build-lead.
set -u
for var in "variant docsinks" "variant otherdocs"; do
  (cd build-lead && FA_GPU_TEST_VARIANT="$var" FADSL_LOG=0 timeout 70 ./fadsl_tests gpu_fwd 2>&1 | grep -E "within bounds|passed, |FAIL|variant"; echo "$var rc ${PIPESTATUS[0]}")
done
