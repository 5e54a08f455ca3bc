# HDB blocks of 8 at 132-256 query rows: decode (old library) against fa3_fwd (new); paged suite.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests rt_key gpu_paged > $OUT/gpu_paged_thr.txt 2>&1; echo "paged rc $?"; grep -E "asserts|tests " $OUT/gpu_paged_thr.txt | tail -2; grep -c "^  ok" $OUT/gpu_paged_thr.txt; grep -E "^  (BAD|FAIL|bad)" $OUT/gpu_paged_thr.txt | head)
for lib in old new old new; do
  L=$R/build-lead/libfadsl.so; [ $lib = old ] && L=$R/build-exp/lib_old.so
  for T in 33 48 64; do
    echo "== $lib T $T" >> $OUT/bs8_threshold.txt
    FADSL_LIBRARY=$L TABLES=shuffled BLOCK_SIZES=8,16 python3 $D/hdb_diag.py $T 2>&1 | grep -v -i -E "compil|NVIDIA" >> $OUT/bs8_threshold.txt
  done
done
cat $OUT/bs8_threshold.txt
