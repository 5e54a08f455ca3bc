set -x
R=$PWD; D=bench/results/2026-11-27-h100-session16; export FADSL_LIBRARY=$R/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader > $OUT/card.txt
BLOCK_SIZES=8,16,32,64 python3 $D/hdb_diag.py 512 2>&1 | grep -v compil | tee $OUT/diag_tables.txt
M=lts__t_sectors.sum,lts__t_sectors.max,lts__t_sectors.min,lts__t_requests.sum,lts__t_sectors_srcunit_tex.sum,lts__t_sectors_srcunit_ltcfabric.sum,lts__t_sectors_lookup_hit.sum,lts__t_sectors_lookup_miss.sum,lts__d_sectors.sum,lts__t_tag_requests.sum,lts__t_tag_requests.max
for bs in 16 32; do
 for tb in shuffled sorted; do
  ONCE=1 BLOCK_SIZES=$bs TABLES=$tb timeout 200 ncu -k regex:fa3_fwd_paged -c 1 --section SpeedOfLight --section MemoryWorkloadAnalysis_Tables --print-details all --metrics $M python3 $D/hdb_diag.py 512 > $OUT/ncu_${tb}_bs$bs.txt 2>&1
  tail -3 $OUT/ncu_${tb}_bs$bs.txt
 done
done
