#!/bin/bash
# Session 26 run 1 (HEAD 0e47cd7's library): issue #5's decode bars measured on the lent
# H200 (paged_decode.py, every row), and the dense decode baseline (bench/run.py decode:
# fadsl.attention with q_len 1 on contiguous K/V, which still runs the prefill kernel).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
python3 bench/paged_decode.py --out $OUT/paged > $OUT/paged_decode.log 2>&1; echo "paged rc $?"
python3 bench/run.py --sections decode --out $OUT/dense > $OUT/dense_decode.log 2>&1; echo "dense rc $?"
cp $OUT/paged/paged_decode.md $OUT/paged_decode.md 2>/dev/null
find $OUT/dense -name results.md -exec cp {} $OUT/dense_decode.md \;
tar czf $OUT/logs.tgz -C $OUT paged dense && rm -rf $OUT/paged $OUT/dense
cat $OUT/paged_decode.md; cat $OUT/dense_decode.md
