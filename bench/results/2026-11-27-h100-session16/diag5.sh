# fp8 HDB decode/forward hand-over at 144-176 rows; 16-bit fa3_fwd at two stages (build-exp/lib_s2.so) against three.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
for lib in prev new prev new; do
  L=$R/build-lead/libfadsl.so; [ $lib = prev ] && L=$R/build-exp/lib_prev.so
  echo "== $lib" >> $OUT/fp8_hdb_threshold.txt
  FADSL_LIBRARY=$L LAYOUTS=hdb python3 $D/fp8_chunks.py 36 40 44 2>&1 | grep -v -i -E "compil|spill" >> $OUT/fp8_hdb_threshold.txt
done
cat $OUT/fp8_hdb_threshold.txt
for lib in s2 new s2; do
  L=$R/build-lead/libfadsl.so; [ $lib = s2 ] && L=$R/build-exp/lib_s2.so
  echo "== $lib" >> $OUT/stages2.txt
  FADSL_LIBRARY=$L TABLES=shuffled BLOCK_SIZES=16 python3 $D/hdb_diag.py 512 2>&1 | grep -v -i -E "compil|spill" >> $OUT/stages2.txt
done
cat $OUT/stages2.txt
