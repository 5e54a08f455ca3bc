# NHD 16-bit chunks with one block lookup per thread per block: paged suite, previous library (5a9c74e) against new.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests gpu_paged gpu_fwd > $OUT/gpu_nhd_lookup.txt 2>&1; echo "gpu rc $?"; grep -E "asserts|tests " $OUT/gpu_nhd_lookup.txt | tail -2)
for lib in prev new prev new; do
  L=$R/build-lead/libfadsl.so; [ $lib = prev ] && L=$R/build-exp/lib_prev.so
  for T in 64 512; do
  echo "== $lib T $T" >> $OUT/nhd_lookup.txt
  FADSL_LIBRARY=$L LAYOUT=nhd TABLES=shuffled BLOCK_SIZES=8,16,32,64,128 python3 $D/hdb_diag.py $T 2>&1 | grep -v -i -E "compil|spill|NVIDIA" >> $OUT/nhd_lookup.txt
  done
done
cat $OUT/nhd_lookup.txt
