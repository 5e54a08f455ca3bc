#!/bin/bash
# Session 34, run2 (one H200): the tile scan with the rows' part hoisted (fa_tile_scan_rows,
# once per warp), Q's copies flying during the scan, 4 loads in flight per lane in a scan,
# and the element mask in parts (fa_mask_const_of / fa_mask_row_at once per thread,
# fa_mask_col_at once per key, fa_mask_pair per element). build-lead = that tree; build-exp =
# session 33's HEAD (before the scan). Document bench on lead; the ANCHORS variants table
# (bench/run.py --sections variants) on exp and lead, each its own process with its peers;
# then gpu_fwd, gpu_paged and gpu_random (new seeds) on lead.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 150 \
  python3 bench/document_mask.py --out $OUT/lead > $OUT/logs/bench_lead.txt 2>&1
echo "document lead rc $?"; tail -5 $OUT/logs/bench_lead.txt
for lib in exp lead; do
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 150 \
    python3 bench/run.py --sections variants --out $OUT/variants_$lib > $OUT/logs/variants_$lib.txt 2>&1
  echo "variants $lib rc $?"
done
find $OUT -name results.md | sort | xargs -I{} sh -c 'echo {}; grep -i "variants hd" {} | head -12'
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 170 ./fadsl_tests gpu_fwd gpu_paged > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
(cd build-lead && FA_GPU_RANDOM_SEED=4521 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 90 ./fadsl_tests gpu_random > $OUT/logs/gpu_random.txt 2>&1; echo "gpu_random rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_random.txt | head
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
