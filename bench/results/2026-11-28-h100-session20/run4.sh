#!/bin/bash
# Session 20 run 4 (H100), after the entry check became a max and a min (fa_paged_block; run 3:
# a compare and a flag cost fa3_fwd's producers 4-7% on chunks): the paged suite, then chunked
# prefill and the fp8 decode rows with 8fa74f5's library and HEAD's, once each, in that order.
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc9 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1)
grep -E "FAIL|within bounds|asserts" $OUT/gpu_paged.txt | cut -c1-160
for lib in old new; do
  so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
  FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fa$lib python3 bench/chunked_prefill.py > $OUT/chunk_$lib.txt 2>&1
  echo "== chunks $lib"; grep -E "dense" $OUT/chunk_$lib.txt
  FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fb$lib python3 bench/paged_decode.py --out $OUT/dec_$lib --quick \
    --rows nhd:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3 > $OUT/dec_$lib.txt 2>&1
  echo "== decode $lib"; grep "|" $OUT/dec_$lib.txt | grep -v "sdpa_flash\|---\|shape" | tail -12 | cut -d'|' -f2-6
done
rm -rf $OUT/dec_*/
