# For the next session (not run): next_two_producers.diff applied in build-lead (two producer
# warpgroups at 40 registers share the fp8 copies and conversions) against 402b4bf's library
# copied to build-exp/lib_head.so; fp8 chunks alternated, then the paged suite.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|torch"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|torch"; }
for i in 1 2; do
  echo "head:"; run_head BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
  echo "new:"; run_new BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg timeout 400 ./fadsl_tests gpu_paged > $OUT/gpu_paged_two.txt 2>&1; echo "gpu_paged rc $?"; grep -E "asserts|tests " $OUT/gpu_paged_two.txt | tail -2)
