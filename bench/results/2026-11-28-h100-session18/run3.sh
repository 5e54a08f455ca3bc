# Session 18, call 3: is anything slower with two fp8 producers? d64, 256 and 2048 new
# tokens, fp16 queries, head (build-exp/lib_head.so = b9658f2) against new (build-lead =
# d35441a and later comment/bench edits), alternated; then the maintained harness.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|rror"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|rror"; }
for who in head new; do echo "$who d64:"; run_$who HEAD_DIM=64 BLOCK_SIZES=16 python3 $D/fp8_chunks.py 512; done
for who in head new; do echo "$who T 256, 2048:"; run_$who BLOCK_SIZES=16 python3 $D/fp8_chunks.py 256 2048; done
for who in head new; do echo "$who fp16 queries:"; run_$who QT=fp16 BLOCK_SIZES=16 python3 $D/fp8_chunks.py 512; done
echo "bench/chunked_prefill.py (new):"
FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so python3 bench/chunked_prefill.py 2>&1 | grep -v -i -E "compil|spill"
