#!/bin/bash
# Session 26 run 3: dense decode performance. bench/dense_decode.py with every call replayed
# from a CUDA graph (issue #5's decode shapes at one token, then a sweep of query tokens);
# bench/run.py's decode section (eager calls, the maintained harness; run 1 has the same
# before the change); the Python dense decode tests after their fix.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
python3 -m pytest -q python/tests/test_gpu.py -k dense_decode > $OUT/py_dense_decode.txt 2>&1; tail -1 $OUT/py_dense_decode.txt
python3 bench/dense_decode.py --graphs --out $OUT/graphs > $OUT/dense_graphs.log 2>&1; echo "graphs rc $?"
python3 bench/run.py --sections decode --out $OUT/run > $OUT/run_decode.log 2>&1; echo "run.py rc $?"
cp $OUT/graphs/dense_decode.md $OUT/dense_decode_graphs.md; find $OUT/run -name results.md -exec cp {} $OUT/run_decode.md \;
tar czf $OUT/logs.tgz -C $OUT graphs run dense_graphs.log run_decode.log && rm -rf $OUT/graphs $OUT/run $OUT/*.log
cat $OUT/dense_decode_graphs.md; grep "^| decode" $OUT/run_decode.md
