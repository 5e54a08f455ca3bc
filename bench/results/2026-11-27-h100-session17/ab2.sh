# fp8 chunks on fa3_fwd with 64-key tiles and 4 or 5 16-bit stages (exp_bn64.diff: the plan
# reads EXP_BN64_STAGES) against today's 128-key tiles and 2 stages, alternated; then the
# paged suite with 5 stages.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run() { env FADSL_CACHE_DIR=/tmp/c$1 ${1:+EXP_BN64_STAGES=$1} FADSL_LIBRARY=$R/build-lead/libfadsl.so "${@:2}" 2>&1 | grep -E "^T|torch"; }
for i in 1 2; do
  for s in "" 4 5; do echo "stages64=${s:-none}:"; run "$s" BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512; done
done
for s in "" 5; do echo "stages64=${s:-none} bs 8,32:"; run "$s" BLOCK_SIZES=8,32 python3 $D/fp8_chunks.py 512; done
for s in "" 5; do echo "stages64=${s:-none} fp16 q:"; run "$s" QT=fp16 python3 $D/fp8_chunks.py 512; done
(cd build-lead && EXP_BN64_STAGES=5 FADSL_CACHE_DIR=/tmp/fg5 timeout 250 ./fadsl_tests gpu_paged > $OUT/gpu_paged_bn64.txt 2>&1; echo "gpu_paged bn64 rc $?"; grep -E "asserts|tests " $OUT/gpu_paged_bn64.txt | tail -2; grep -i -E "fail|assert.*line" $OUT/gpu_paged_bn64.txt | head -5)
