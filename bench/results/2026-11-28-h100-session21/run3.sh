#!/bin/bash
# Session 21 run 3 (H100): what FADSL_DEBUG_CHECKS=1 costs a call (issue #5 asks for the cost
# to be documented). HEAD's library, alternating without and with the checks: the decode rows
# of bench/paged_decode.py --quick (bf16 and fp8 NHD, block size 16) and the chunks of
# bench/chunked_prefill.py.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
date -u >> $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc5
for rep in 1 2; do
  for dbg in 0 1; do
    FADSL_DEBUG_CHECKS=$dbg python3 bench/paged_decode.py --out $OUT/dec_${dbg}_$rep --quick \
      --rows nhd:16:bf16,nhd:16:fp8e4m3 > $OUT/dec_${dbg}_$rep.txt 2>&1
    echo "== decode debug=$dbg $rep"; grep "|" $OUT/dec_${dbg}_$rep.txt | grep -v "sdpa_flash\|---\|shape" | tail -8 | cut -d'|' -f2-6
  done
done
for dbg in 0 1; do
  FADSL_DEBUG_CHECKS=$dbg python3 bench/chunked_prefill.py > $OUT/chunk_$dbg.txt 2>&1
  echo "== chunks debug=$dbg"; grep -E "dense" $OUT/chunk_$dbg.txt
done
rm -rf $OUT/dec_*/
