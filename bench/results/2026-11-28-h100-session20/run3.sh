#!/bin/bash
# Session 20 run 3 (H100), after the decode kernel's entry check moved to where an entry enters
# the ring (run 2: checking tab_next right after its load cost fp8 NHD decodes 2.6%): the paged
# suite again, then decode and chunked prefill with 8fa74f5's library and HEAD's, alternated
# twice, each against its peers (decode: cuDNN; chunks: dense) in one process.
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc6 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1)
grep -E "FAIL|within bounds|asserts" $OUT/gpu_paged.txt | cut -c1-160
for r in 1 2; do
  for lib in old new; do
    so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
    FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fc7$lib python3 bench/paged_decode.py --out $OUT/dec_$lib$r --quick \
      --rows nhd:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3 > $OUT/dec_$lib$r.txt 2>&1
    echo "== decode $lib $r"; grep "|" $OUT/dec_$lib$r.txt | grep -v "sdpa_flash\|---\|shape" | tail -12 | cut -d'|' -f2-6
    FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fc8$lib python3 bench/chunked_prefill.py > $OUT/chunk_$lib$r.txt 2>&1
    echo "== chunks $lib $r"; tail -7 $OUT/chunk_$lib$r.txt
  done
done
rm -rf $OUT/dec_*/
