#!/bin/bash
# Session 27 run 3: the committed L2 promotion (runtime/paged.c encode_tmaps; tmap_l2_promotion at e8ee7ac) in
# build-lead: gpu_paged, gpu_fwd and the Python suite, then issue #5's decode bars (every
# row of bench/paged_decode.py) and the one-token dense decodes.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
mkdir -p $OUT/logs
(./build-lead/fadsl_tests gpu_paged > $OUT/logs/gpu_paged.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_paged.txt) &
(./build-lead/fadsl_tests gpu_fwd > $OUT/logs/gpu_fwd.txt 2>&1; echo "rc $?" >> $OUT/logs/gpu_fwd.txt) &
(python3 -m pytest -q python/tests > $OUT/logs/py.txt 2>&1; echo "rc $?" >> $OUT/logs/py.txt) &
wait
for f in gpu_paged gpu_fwd; do echo "== $f"; grep -h "within bounds\|FAIL\|^rc" $OUT/logs/$f.txt | head; grep -A4 "Run Summary" $OUT/logs/$f.txt; done
tail -2 $OUT/logs/py.txt
python3 bench/paged_decode.py --out $OUT/paged > $OUT/logs/paged_decode.log 2>&1; echo "paged rc $?"
S=64:4096:32:8:128:1,8:32768:32:8:128:1,1:131072:32:8:128:1,8:8192:64:8:64:1,8:8192:32:8:256:1
python3 bench/dense_decode.py --graphs --shapes $S --out $OUT/dense > $OUT/logs/dense_decode.log 2>&1; echo "dense rc $?"
cp $OUT/paged/paged_decode.md $OUT/paged/paged_decode.json $OUT/dense/dense_decode.md $OUT/ 2>/dev/null
rm -rf $OUT/paged $OUT/dense
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
grep -v sdpa_flash $OUT/paged_decode.md; grep -v "forward\|flash" $OUT/dense_decode.md
