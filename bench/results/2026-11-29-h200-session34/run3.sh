#!/bin/bash
# Session 34, run3 (one H200): the element mask in parts only where the mask loads at
# moving indices (FA_MASK_SPLIT; run2 had it for every mask, and window/ALiBi ran 3-4% below
# session 33's HEAD). build-lead = that tree, build-exp = session 33's HEAD. The ANCHORS
# variants table on exp and lead (own processes), document bench on lead; gpu_paged (run2's
# time limit cut it) and the Python GPU tests of variants and documents on lead.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
for lib in exp lead; do
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 150 \
    python3 bench/run.py --sections variants --out $OUT/variants_$lib > $OUT/logs/variants_$lib.txt 2>&1
  echo "variants $lib rc $?"
done
find $OUT -name results.md | sort | xargs -I{} sh -c 'echo {}; grep -i "variants hd" {} | head -12'
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 120 \
  python3 bench/document_mask.py --out $OUT/lead > $OUT/logs/bench_lead.txt 2>&1
echo "document lead rc $?"; tail -4 $OUT/logs/bench_lead.txt
(cd build-lead && FADSL_CACHE_DIR=/tmp/fadsl-cache timeout 150 ./fadsl_tests gpu_paged > $OUT/logs/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu_paged.txt | head
FADSL_CACHE_DIR=/tmp/fadsl-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 100 \
  python3 -m pytest -q -x python/tests/test_gpu.py -k "document or variants" > $OUT/logs/pytest.txt 2>&1
echo "pytest rc $?"; tail -3 $OUT/logs/pytest.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
