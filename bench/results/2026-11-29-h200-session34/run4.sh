#!/bin/bash
# Session 34, run4 (one H200): the committed tree (49900fe: scan memory only for scanning
# keys, non-scanning kernels back to session 33's PTX). Document bench; gpu_fwd, gpu_paged,
# gpu_random (new seeds 4581-4640) and the Python GPU tests of documents and paged variants.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
timeout 100 python3 bench/document_mask.py --out $OUT/lead > $OUT/logs/bench_lead.txt 2>&1
echo "document rc $?"; tail -4 $OUT/logs/bench_lead.txt
(cd build-lead && FA_GPU_RANDOM_SEED=4581 FA_GPU_RANDOM_CASES=60 timeout 80 ./fadsl_tests gpu_random > $OUT/logs/gpu_random.txt 2>&1; echo "gpu_random rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_random.txt | head
timeout 60 python3 -m pytest -q -x python/tests/test_gpu.py -k "document or paged_variants" > $OUT/logs/pytest.txt 2>&1
echo "pytest rc $?"; tail -2 $OUT/logs/pytest.txt
(cd build-lead && timeout 200 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
