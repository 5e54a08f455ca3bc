# fp8 converted inside three 16-bit stages: paged suite, fp8 chunks against the previous library (5a9c74e) and
# at every block size, the fp8 decode/forward hand-over, 16-bit unchanged.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests rt_key gpu_paged > $OUT/gpu_paged_s3.txt 2>&1; echo "paged rc $?"; grep -E "asserts|tests " $OUT/gpu_paged_s3.txt | tail -2; grep -c "^  ok" $OUT/gpu_paged_s3.txt; grep -E "BAD|FAIL|bad [1-9]|want" $OUT/gpu_paged_s3.txt | head)
for lib in prev new prev new; do
  L=$R/build-lead/libfadsl.so; [ $lib = prev ] && L=$R/build-exp/lib_prev.so
  echo "== $lib" >> $OUT/fp8_s3.txt
  FADSL_LIBRARY=$L python3 $D/fp8_chunks.py 33 40 48 64 512 2>&1 | grep -v -i -E "compil|spill" >> $OUT/fp8_s3.txt
done
cat $OUT/fp8_s3.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so BLOCK_SIZES=8,32,64,128 python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" | tee $OUT/fp8_s3_bs.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so KV=e5m2 python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" | tee $OUT/fp8_s3_e5m2.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so python3 bench/chunked_prefill.py --sweep 17,32,33,64,128 2>&1 | grep -v -i -E "compil|spill" | tee $OUT/chunked_prefill_s3.txt
