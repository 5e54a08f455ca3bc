# NHD fp8 chunks at d128 mapped as half rows of key pairs (new, build-lead) against becb570
# (head, build-exp/lib_head.so), alternated; HDB is unchanged (a control). Then the paged and
# forward suites on the new library.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|torch"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|torch"; }
for i in 1 2; do
  echo "head:"; run_head BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
  echo "new:"; run_new BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
done
echo "head bs 8,32,128:"; run_head BLOCK_SIZES=8,32,128 LAYOUTS=nhd python3 $D/fp8_chunks.py 512
echo "new bs 8,32,128:"; run_new BLOCK_SIZES=8,32,128 LAYOUTS=nhd python3 $D/fp8_chunks.py 512
echo "head e5m2:"; run_head KV=e5m2 LAYOUTS=nhd python3 $D/fp8_chunks.py 512
echo "new e5m2:"; run_new KV=e5m2 LAYOUTS=nhd python3 $D/fp8_chunks.py 512
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg timeout 240 ./fadsl_tests gpu_paged gpu_fwd > $OUT/gpu_ab3.txt 2>&1; echo "gpu_paged gpu_fwd rc $?"; grep -E "asserts|tests " $OUT/gpu_ab3.txt | tail -2)
