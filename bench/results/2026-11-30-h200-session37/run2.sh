#!/bin/bash
# build-lead = 9846e3c (83ffb30 with fa3_d256_n80.diff: 80-key d256 tiles for dense/varlen K/V):
# the prefill table's d256 column with peers in one process (bench/run.py --head-dims 256),
# then gpu_fwd and gpu_paged (168 cases) on it.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0 timeout 230 \
  python3 bench/run.py --sections prefill --head-dims 256 --out $OUT > $OUT/prefill.txt 2>&1
echo "prefill rc $?"; grep "hd256\|failures" $OUT/prefill.txt
(cd $OUT && tar czf plots.tgz */*.png && rm -f */*.png)
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc-lead timeout 320 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
