# fp8 conversion on the integer/FMA pipes (new, build-lead) against becb570's cvt path (head,
# build-exp/lib_head.so): fp8 chunks alternated, e5m2 and fp16 queries, Nsight Compute pipe
# use of both fa3_fwd fp8 kernels, then the paged suite on the new library.
R=$PWD; D=bench/results/2026-11-27-h100-session17
run_head() { env FADSL_CACHE_DIR=/tmp/ch FADSL_LIBRARY=$R/build-exp/lib_head.so "$@" 2>&1 | grep -E "^T|torch"; }
run_new() { env FADSL_CACHE_DIR=/tmp/cn FADSL_LIBRARY=$R/build-lead/libfadsl.so "$@" 2>&1 | grep -E "^T|torch"; }
for i in 1 2; do
  echo "head:"; run_head BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
  echo "new:"; run_new BLOCK_SIZES=16,64 python3 $D/fp8_chunks.py 512
done
for cfg in "KV=e5m2" "QT=fp16"; do
  echo "head $cfg:"; run_head $cfg python3 $D/fp8_chunks.py 512
  echo "new $cfg:"; run_new $cfg python3 $D/fp8_chunks.py 512
done
M="regex:sm__inst_executed_pipe_.*avg.pct_of_peak_sustained_active,regex:sm__pipe_.*cycles_active.avg.pct_of_peak_sustained_active,sm__issue_active.avg.pct_of_peak_sustained_active,gpu__time_duration.sum"
for lib in head new; do
  L=$R/build-exp/lib_head.so; [ $lib = new ] && L=$R/build-lead/libfadsl.so
  echo "ncu $lib:"
  FADSL_CACHE_DIR=/tmp/c$lib FADSL_LIBRARY=$L ONCE=1 timeout 200 ncu -k regex:paged -c 2 --metrics "$M" python3 $D/fp8_chunks.py 512 > $OUT/ncu_$lib.txt 2>&1
  grep -E "fa3_fwd|pct|duration" $OUT/ncu_$lib.txt | grep -v -E " 0(\.0+)?$| n/a" | awk '{$1=$1; print}' | head -60
done
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg timeout 280 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $?"; grep -E "asserts|tests " $OUT/gpu_paged.txt | tail -2)
