# Session 18, call 2 (same warm machine): two producer warpgroups (build-lead): fp8 chunks at
# every block size and e5m2 against HEAD, then the paged and forward suites, then Python.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|rror"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|rror"; }
echo "two producers bs 8,32,128:"; run_new BLOCK_SIZES=8,32,128 python3 $D/fp8_chunks.py 512
echo "head bs 8,32,128:"; run_head BLOCK_SIZES=8,32,128 python3 $D/fp8_chunks.py 512
echo "two producers e5m2:"; run_new BLOCK_SIZES=16 KV=e5m2 python3 $D/fp8_chunks.py 512
echo "head e5m2:"; run_head BLOCK_SIZES=16 KV=e5m2 python3 $D/fp8_chunks.py 512
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg timeout 300 ./fadsl_tests gpu_paged gpu_fwd > $OUT/gpu_two.txt 2>&1; echo "gpu_paged gpu_fwd rc $?"; grep -E "asserts|tests |cases" $OUT/gpu_two.txt | tail -4)
FADSL_CACHE_DIR=/tmp/cq FADSL_LIBRARY=$R/build-lead/libfadsl.so timeout 200 python3 -m pytest -q python/tests > $OUT/py_two.txt 2>&1; tail -2 $OUT/py_two.txt
