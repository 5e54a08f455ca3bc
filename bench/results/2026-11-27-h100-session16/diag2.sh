# Row-width swizzle for HDB tiles: GPU paged suite, old/new A/B, ncu of bs 16.
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_CACHE_DIR=/tmp/fc
(cd build-lead && FADSL_CACHE_DIR=/tmp/fp ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "paged rc $?"; grep -E "Run Summary|asserts|tests " $OUT/gpu_paged.txt | tail -4)
for lib in old new old new; do
  L=$R/build-lead/libfadsl.so; [ $lib = old ] && L=$R/build-exp/lib_old.so
  echo "== $lib" >> $OUT/ab.txt
  FADSL_LIBRARY=$L TABLES=shuffled BLOCK_SIZES=8,16,32,64,128 python3 $D/hdb_diag.py 512 2>&1 | grep -v -i compil >> $OUT/ab.txt
done
cat $OUT/ab.txt
M=lts__t_sectors.sum,lts__t_requests.sum,lts__t_sectors_lookup_hit.sum
for bs in 8 16 32; do
ONCE=1 BLOCK_SIZES=$bs TABLES=shuffled FADSL_LIBRARY=$R/build-lead/libfadsl.so timeout 120 ncu -k regex:fa3_fwd_paged -c 1 --section SpeedOfLight --metrics $M python3 $D/hdb_diag.py 512 > $OUT/ncu_new_bs$bs.txt 2>&1
grep -E "Duration|L2 Cache Throughput|lts__t_(sectors|requests).sum " $OUT/ncu_new_bs$bs.txt
done
FADSL_LIBRARY=$R/build-lead/libfadsl.so python3 bench/chunked_prefill.py > $OUT/chunked_prefill.txt 2>&1; grep -v -i compil $OUT/chunked_prefill.txt
