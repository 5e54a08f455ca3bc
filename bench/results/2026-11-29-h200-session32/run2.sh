#!/bin/bash
# Session 32, run2 (two H200s): every Python test but the fuzz (device_arch and forwards on
# both GPUs under PyTorch; session 31's last Python commits), and gpu_random over new seeds
# 3481-3600 on the second GPU meanwhile. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for s in 3481 3511 3541 3571; do
  (CUDA_VISIBLE_DEVICES=1 FADSL_CACHE_DIR=/tmp/fc-random FA_GPU_RANDOM_CASES=30 FA_GPU_RANDOM_SEED=$s timeout 400 \
     ./build-lead/fadsl_tests gpu_random > $OUT/logs/gpu_random_$s.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_random_$s.txt) &
done
FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 420 python3 -m pytest -q -p no:cacheprovider python/tests \
  --ignore=python/tests/test_gpu_fuzz.py > $OUT/logs/py.txt 2>&1
echo "py rc $?: $(tail -1 $OUT/logs/py.txt)"
grep -A30 "^____" $OUT/logs/py.txt | head -50
grep -h "every_device" $OUT/logs/py.txt | head -3
wait
grep -h "within bounds\|^rc" $OUT/logs/gpu_random_*.txt; grep -h -A14 "^  FAIL" $OUT/logs/gpu_random_*.txt | grep -v "^fadsl:" | head -30
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
