#!/bin/bash
# Session 27 run 2: the decode's TMA L2 promotion. build-exp/libfadsl.so: HEAD with
# tile_override_experiment.diff (FAX_L2 = cuTensorMapEncodeTiled's l2Promotion for the decode
# maps: 3 = 256 B, HEAD's; 2 = 128 B; 1 = 64 B; 0 = none). Each setting in its own process and
# cubin cache, SDPA timed in the same process; issue #5's shapes, every layout / block size
# whose copies use a tensor map (HDB bs16 is bulk copies, a control), then dense decode.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_LIBRARY=$PWD/build-exp/libfadsl.so
ROWS=nhd:8:bf16,nhd:16:bf16,nhd:32:bf16,nhd:64:bf16,nhd:128:bf16,hdb:16:bf16,hdb:32:bf16,hdb:64:bf16,hdb:128:bf16
for l2 in 3 2 1 0; do
  FAX_L2=$l2 FADSL_CACHE_DIR=$(mktemp -d) python3 bench/paged_decode.py --rows $ROWS \
    --out $OUT/logs/l2_$l2 > $OUT/logs/l2_$l2.log 2>&1; echo "l2 $l2 rc $?"
  echo "## FAX_L2=$l2" >> $OUT/l2.md; grep '^| [0-9]' $OUT/logs/l2_$l2/paged_decode.md >> $OUT/l2.md
done
for mode in 64,4,3,1 64,4,2,1; do
  FAX_L2=2 FAX_DEC=$mode FADSL_CACHE_DIR=$(mktemp -d) python3 bench/paged_decode.py --rows nhd:16:bf16,nhd:64:bf16 \
    --out $OUT/logs/t_$mode > $OUT/logs/t_$mode.log 2>&1; echo "tile $mode rc $?"
  echo "## FAX_L2=2 FAX_DEC=$mode" >> $OUT/l2.md; grep '^| [0-9]' $OUT/logs/t_$mode/paged_decode.md >> $OUT/l2.md
done
S=64:4096:32:8:128:1,8:32768:32:8:128:1,1:131072:32:8:128:1,8:8192:32:8:128:8,8:8192:64:8:64:1
for l2 in 3 2; do
  FAX_L2=$l2 FADSL_CACHE_DIR=$(mktemp -d) python3 bench/dense_decode.py --graphs --shapes $S \
    --out $OUT/logs/dense_$l2 > $OUT/logs/dense_$l2.log 2>&1; echo "dense l2 $l2 rc $?"
  echo "## dense FAX_L2=$l2" >> $OUT/dense.md; grep '^| [0-9]' $OUT/logs/dense_$l2/dense_decode.md >> $OUT/dense.md
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
cat $OUT/l2.md | grep -v sdpa_flash; cat $OUT/dense.md
