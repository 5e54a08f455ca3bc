#!/bin/bash
# Session 33, run2 (one H200): HEAD with `require` (stdlib chunked_local, softcap,
# sliding_window, sink_window, gpt_oss) and loaded.c: every Python test but the fuzz, then
# the Python fuzz over new seeds 5080-5399 in 16 processes. build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 280 python3 -m pytest -q -p no:cacheprovider python/tests \
  --ignore=python/tests/test_gpu_fuzz.py > $OUT/logs/py.txt 2>&1
echo "py rc $?: $(tail -1 $OUT/logs/py.txt)"
grep -A30 "^____" $OUT/logs/py.txt | head -40
export FADSL_CACHE_DIR=/tmp/fc-fuzz FADSL_FUZZ_CASES=320 FADSL_FUZZ_SEED=5080
for i in $(seq 0 15); do
  FADSL_FUZZ_SHARD=$i/16 timeout 230 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $OUT/logs/f_$i.txt 2>&1 &
done
wait
for i in $(seq 0 15); do tail -1 $OUT/logs/f_$i.txt; done | sort | uniq -c
grep -h -B2 -A3 "request:" $OUT/logs/f_*.txt | head -30
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
