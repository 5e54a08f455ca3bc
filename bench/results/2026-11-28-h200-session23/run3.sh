#!/bin/bash
# Session 23 run 3: both fuzz tests (paged and dense/varlen) over seeds FIRST..FIRST+CASES-1,
# 16 shards in parallel processes over one disk cache; one log.
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d)
export FADSL_FUZZ_CASES=${CASES:-500} FADSL_FUZZ_SEED=${FIRST:-600}
N=16 T=$(mktemp -d)
for i in $(seq 0 $((N-1))); do
  FADSL_FUZZ_SHARD=$i/$N timeout 560 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py \
    > $T/fuzz_$i.txt 2>&1 &
done
wait
for i in $(seq 0 $((N-1))); do echo "== shard $i/$N"; cat $T/fuzz_$i.txt; done > $OUT/fuzz.txt
grep -E "passed|failed" $OUT/fuzz.txt
grep -B2 -A3 "request:" $OUT/fuzz.txt | head -80
