# Final code: every GPU suite, the Python tests, then the chunked-prefill benches.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader > $OUT/final_card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg ./fadsl_tests rt_gpu gpu_checks gpu_paged gpu_fwd > $OUT/final_gpu.txt 2>&1; echo "gpu rc $?"; grep -E "asserts|tests " $OUT/final_gpu.txt | tail -2; grep -c "^  ok" $OUT/final_gpu.txt)
FADSL_LIBRARY=$R/build-lead/libfadsl.so timeout 300 python3 -m pytest -q python/tests > $OUT/final_py.txt 2>&1; tail -2 $OUT/final_py.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so python3 bench/chunked_prefill.py --sweep 17,32,33,64,128 2>&1 | grep -v -i -E "compil|spill" > $OUT/final_chunks.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so BLOCK_SIZES=8,16,32,64,128 TABLES=shuffled python3 $D/hdb_diag.py 512 2>&1 | grep -v -i -E "compil|spill" > $OUT/final_hdb.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so BLOCK_SIZES=8,16,32,64,128 python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" > $OUT/final_fp8.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so LAYOUTS=hdb python3 $D/fp8_chunks.py 40 44 2>&1 | grep -v -i -E "compil|spill" >> $OUT/final_fp8.txt
cat $OUT/final_chunks.txt $OUT/final_hdb.txt $OUT/final_fp8.txt
