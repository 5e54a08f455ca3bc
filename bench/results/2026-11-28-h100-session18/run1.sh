# Session 18, call 1: Python tests on HEAD's library (b9658f2 = 402b4bf's kernels, in
# build-exp/lib_head.so), then two fp8 producer warpgroups (build-lead, the session-17 diff
# applied) against HEAD, alternated, block sizes 16 and 64, both layouts.
R=$PWD; D=bench/results/2026-11-27-h100-session17
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader > $OUT/card.txt; cat $OUT/card.txt
FADSL_CACHE_DIR=/tmp/cp FADSL_LIBRARY=$R/build-exp/lib_head.so timeout 300 python3 -m pytest -q python/tests > $OUT/py_head.txt 2>&1; tail -2 $OUT/py_head.txt
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|torch|rror"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|torch|rror"; }
for i in 1 2; do
  echo "head:"; run_head BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
  echo "two producers:"; run_new BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
done
