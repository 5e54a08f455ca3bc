#!/bin/bash
# Session 19 run 6: Python tests, the quick same-process decode bench, and the control (H100).
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc6
python3 -m pytest -q python/tests > $OUT/py.txt 2>&1; tail -3 $OUT/py.txt
python3 bench/paged_decode.py --out $OUT/bench --quick > $OUT/bench.txt 2>&1; grep "|" $OUT/bench.txt | tail -16
# Control: the same paged suite built against 38eb497's templates (no seq_lens guard):
# the bad-length cases must fail there, and only they.
cd build-exp/control && FADSL_CACHE_DIR=/tmp/fc7 ./fadsl_tests gpu_paged > $OUT/gpu_paged_control.txt 2>&1
grep -E "FAIL|within bounds" $OUT/gpu_paged_control.txt | cut -c1-150
