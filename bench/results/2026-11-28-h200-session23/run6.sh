#!/bin/bash
# Session 23 run 6: split decodes merged in the decode's last split (default) against the
# separate merge kernel (FADSL_MERGE_KERNEL=1), alternated in separate processes:
# bench/paged_decode.py --quick at block size 16 (bf16 NHD, fp8 e4m3 NHD and HDB); then the
# merge-kernel path's Python tests.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc1
for rep in 1 2; do
  for mk in 0 1; do
    FADSL_MERGE_KERNEL=$mk timeout 140 python3 bench/paged_decode.py --out $OUT/dec_${mk}_$rep --quick \
      --rows nhd:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3 > $OUT/dec_${mk}_$rep.txt 2>&1
    echo "== merge_kernel=$mk rep $rep"; grep "|" $OUT/dec_${mk}_$rep.txt | grep -v "sdpa_flash\|---" | tail -12 | cut -d'|' -f2-7
  done
done
FADSL_MERGE_KERNEL=1 timeout 120 python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu.py -k "split or packed or claims or bad_block" > $OUT/py_merge_kernel.txt 2>&1
tail -2 $OUT/py_merge_kernel.txt
rm -rf $OUT/dec_*/
