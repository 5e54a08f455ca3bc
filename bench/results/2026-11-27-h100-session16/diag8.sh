# Separate K and V mbarriers in fa3_fwd: forward and paged suites, then ba237f5 (build-exp/lib_head.so) against new.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests gpu_paged gpu_fwd rt_gpu > $OUT/gpu_kv_bars.txt 2>&1; echo "gpu rc $?"; grep -E "asserts|tests " $OUT/gpu_kv_bars.txt | tail -2)
for lib in head new head new; do
  L=$R/build-lead/libfadsl.so; [ $lib = head ] && L=$R/build-exp/lib_head.so
  echo "== $lib" >> $OUT/kv_bars.txt
  FADSL_LIBRARY=$L python3 $D/fp8_chunks.py 512 2>&1 | grep -v -i -E "compil|spill|NVIDIA" >> $OUT/kv_bars.txt
  FADSL_LIBRARY=$L python3 bench/chunked_prefill.py 2>&1 | grep -v -i -E "compil|spill|NVIDIA" >> $OUT/kv_bars.txt
done
cat $OUT/kv_bars.txt
