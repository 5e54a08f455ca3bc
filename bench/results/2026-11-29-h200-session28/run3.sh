#!/bin/bash
# Session 28 run3: Nsight Compute on the HDB fp8 split decode at 8 x 32768 (32/8 heads), tile
# claims (build-lead = bd0be12) against even shares (FADSL_DETERMINISTIC=1): where the claims
# kernel's warps stall, per SASS instruction. Clocks left alone (--clock-control none).
set -u
R=bench/results/2026-11-29-h200-session28
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d)
NCU="ncu --clock-control none -k regex:fa_decode_paged --launch-skip 2 -c 1 --import-source no \
  --section SpeedOfLight --section WarpStateStats --section SchedulerStats --section SourceCounters \
  --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis"
for pol in claims even; do
  if [ $pol = even ]; then export FADSL_DETERMINISTIC=1; fi
  timeout 200 $NCU -o $OUT/$pol python3 $R/ncu_claims.py 8 32768 32 8 > $OUT/${pol}_log.txt 2>&1
  ncu --import $OUT/$pol.ncu-rep --print-details all > $OUT/${pol}_details.txt 2>&1
  ncu --import $OUT/$pol.ncu-rep --page source --print-source sass --csv > $OUT/${pol}_sass.csv 2>&1
  echo "$pol: $(wc -c < $OUT/${pol}_sass.csv) bytes of source page"
done
grep -h "Duration\|Stall\|Warp Cycles Per Issued\|Eligible\|Block Limit\|Registers Per\|Grid Size" $OUT/claims_details.txt $OUT/even_details.txt | head -60
cd $OUT && tar czf ncu.tgz *_details.txt *_sass.csv *_log.txt && rm -f *_sass.csv *_details.txt *_log.txt
