#!/bin/bash
# Session 27 run 4: issue #5's decode bars on the committed library (e8ee7ac's tree, build-lead)
# on a cool card (run3 timed them after the test suites), then the HDB fp8 split decodes
# with and without tile claims (FADSL_DETERMINISTIC=1: even shares, no claims).
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
mkdir -p $OUT/logs
python3 bench/paged_decode.py --out $OUT/paged > $OUT/logs/paged_decode.log 2>&1; echo "paged rc $?"
for det in 0 1; do
  FADSL_DETERMINISTIC=$det python3 bench/paged_decode.py --rows hdb:16:bf16,hdb:16:fp8e4m3,nhd:16:fp8e4m3 \
    --out $OUT/logs/det_$det > $OUT/logs/det_$det.log 2>&1; echo "det $det rc $?"
  echo "## FADSL_DETERMINISTIC=$det" >> $OUT/claims.md; grep '^| [0-9]' $OUT/logs/det_$det/paged_decode.md >> $OUT/claims.md
done
cp $OUT/paged/paged_decode.md $OUT/paged/paged_decode.json $OUT/ 2>/dev/null; rm -rf $OUT/paged
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
grep -v sdpa_flash $OUT/paged_decode.md; grep -v sdpa_flash $OUT/claims.md
