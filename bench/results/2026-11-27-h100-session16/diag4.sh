# fp8 caches on fa3_fwd: paged suite, then chunked prefill against the previous library (5a9c74e).
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests rt_key gpu_paged > $OUT/gpu_paged_fp8.txt 2>&1; echo "paged rc $?"; grep -E "asserts|tests " $OUT/gpu_paged_fp8.txt | tail -2; grep -c "^  ok" $OUT/gpu_paged_fp8.txt; grep -E "BAD|FAIL|bad |kernel" $OUT/gpu_paged_fp8.txt | head)
for lib in prev new prev new; do
  L=$R/build-lead/libfadsl.so; [ $lib = prev ] && L=$R/build-exp/lib_prev.so
  echo "== $lib" >> $OUT/fp8_threshold.txt
  FADSL_LIBRARY=$L python3 $D/fp8_chunks.py 33 48 64 512 2>&1 | grep -v -i -E "compil|spill" >> $OUT/fp8_threshold.txt
done
cat $OUT/fp8_threshold.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so BLOCK_SIZES=8,32,128 python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" | tee $OUT/fp8_bs.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so KV=e5m2 BLOCK_SIZES=16 python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" | tee $OUT/fp8_e5m2.txt
