#!/bin/bash
# Session 23 run 2: the randomised paged fuzz (python/tests/test_gpu_fuzz.py), 16 shards in
# parallel processes over one disk cache.
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d)
export FADSL_FUZZ_CASES=${CASES:-600}
N=16
for i in $(seq 0 $((N-1))); do
  FADSL_FUZZ_SHARD=$i/$N timeout 540 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py \
    > $OUT/fuzz_$i.txt 2>&1 &
done
wait
grep -h -E "passed|failed" $OUT/fuzz_*.txt | tail -n 16
grep -h -A3 "request:" $OUT/fuzz_*.txt | head -60
