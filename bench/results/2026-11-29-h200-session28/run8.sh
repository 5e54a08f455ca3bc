#!/bin/bash
# Session 28 run8: 64-bit claim tags (a counter = count word + tag word, reset by a 128-bit
# CAS), build-lead = the working tree after 2f3490f. The Python split tests (eager claims and
# a CUDA graph replayed three times, against even shares and the float64 reference), the
# claims probe (no slower), then gpu_paged (0xff-filled workspaces, each launched twice) for
# what the device time left allows.
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
timeout 60 python3 -m pytest -q python/tests -k "split" > $OUT/py_split.txt 2>&1; echo "py: $(tail -1 $OUT/py_split.txt)"
timeout 60 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' > $OUT/claims.md; cat $OUT/claims.md
(cd build-lead && timeout 170 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL\|claims" $OUT/gpu_paged.txt | head; grep -c "passed" $OUT/gpu_paged.txt; tail -3 $OUT/gpu_paged.txt
gzip $OUT/gpu_paged.txt
