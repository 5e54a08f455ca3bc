# becb570: every GPU suite, the Python tests, then the fp8 chunk baseline at block size 16.
R=$PWD; S=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader > $OUT/card.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg ./fadsl_tests rt_gpu gpu_checks gpu_paged gpu_fwd > $OUT/check_gpu.txt 2>&1; echo "gpu rc $?"; grep -E "asserts|tests " $OUT/check_gpu.txt | tail -2)
FADSL_LIBRARY=$R/build-lead/libfadsl.so timeout 300 python3 -m pytest -q python/tests > $OUT/check_py.txt 2>&1; tail -2 $OUT/check_py.txt
FADSL_LIBRARY=$R/build-lead/libfadsl.so BLOCK_SIZES=8,16,64 python3 $S/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill" > $OUT/check_fp8.txt
cat $OUT/card.txt $OUT/check_fp8.txt
