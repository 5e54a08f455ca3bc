#!/bin/bash
# Session 23 run 4: host time of a Python call, the package before this session's change
# (build-lead/py_old, a copy of e31e73f's python/fadsl) against HEAD's, alternated; then
# the GPU Python tests (test_gpu.py and the default fuzz).
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d)
for round in 1 2; do
  FADSL_PY=$PWD/build-lead/py_old python3 bench/host_overhead.py --calls 5000 > $OUT/host_old_$round.txt 2>&1
  python3 bench/host_overhead.py --calls 5000 > $OUT/host_new_$round.txt 2>&1
done
grep -H "a call" $OUT/host_*.txt | grep -v "^.*compil"
python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py python/tests/test_gpu_fuzz.py > $OUT/py_gpu.txt 2>&1
tail -3 $OUT/py_gpu.txt
