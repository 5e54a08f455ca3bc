#!/bin/bash
# Session 28 run5: the committed library (build-lead = d10edad): gpu_paged, the Python paged
# and split tests, claims_probe.py, then issue #5's decode bars under CUDA graphs (every row
# of bench/paged_decode.py). One kernel cache for all, so the benches find their cubins.
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
(cd build-lead && timeout 240 ./fadsl_tests gpu_paged > $OUT/logs/gpu_paged.txt 2>&1; echo "gpu_paged rc $?")
grep -h "within bounds\|FAIL" $OUT/logs/gpu_paged.txt | head; tail -4 $OUT/logs/gpu_paged.txt
timeout 150 python3 -m pytest -q python/tests -k "split or paged" > $OUT/logs/py.txt 2>&1; echo "py: $(tail -1 $OUT/logs/py.txt)"
timeout 60 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' > $OUT/claims.md; cat $OUT/claims.md
timeout 200 python3 bench/paged_decode.py --graphs --out $OUT/paged > $OUT/logs/paged_decode.log 2>&1; echo "paged rc $?"
cp $OUT/paged/paged_decode.md $OUT/paged_decode_graphs.md; cp $OUT/paged/paged_decode.json $OUT/paged_decode_graphs.json
rm -rf $OUT/paged; tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
grep -v sdpa_flash $OUT/paged_decode_graphs.md
