#!/bin/bash
# Session 29, run 7 (H200): gpu_paged with four more 16-bit HDB cases of 32-key blocks
# (head dims 64, 96, 192, 256: the folded TMA rows at every head dim).
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-s29-cache
t0=$SECONDS
(cd build-lead && timeout 150 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $? $((SECONDS - t0)) s")
grep -h "paged cases\|asserts\|FAIL" $OUT/gpu_paged.txt
grep -h "hdb q [bf]*16 kv [bf]*16 hd[0-9]* bs32 " $OUT/gpu_paged.txt | cut -c1-150
