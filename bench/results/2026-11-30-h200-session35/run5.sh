#!/bin/bash
# Session 35, run5 (one H200): build-lead = 98b21df + the first visit fixed before the scan
# (fa_visit_first: the diagonal tile, or the first sink tile), its copies issued with Q's so
# they fly during the scan. probe_doc.py d128/d256, document_mask.py d128; gpu_fwd document,
# gpu_random from $1, Python paged variants (41-token chunks now take the forward kernel)
# and the Python fuzz from seed $2.
set -u
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
for hd in 128 256; do
  timeout 100 python3 bench/results/2026-11-30-h200-session35/probe_doc.py --head-dim $hd 2>&1 | tail -1
done
timeout 150 python3 bench/document_mask.py --head-dim 128 --out $OUT/lead-d128 > $OUT/logs/bench_d128.txt 2>&1
echo "bench rc $?"; tail -4 $OUT/logs/bench_d128.txt
(cd build-lead && FA_GPU_TEST_VARIANT=document timeout 100 ./fadsl_tests gpu_fwd > $OUT/logs/gpu_document.txt 2>&1; echo "gpu document rc $?")
grep -h "within bounds\|passed, " $OUT/logs/gpu_document.txt
(cd build-lead && FA_GPU_RANDOM_SEED=$1 FA_GPU_RANDOM_CASES=60 timeout 100 ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
tail -1 $OUT/logs/random.txt
timeout 120 python3 -m pytest -q python/tests/test_gpu.py -k "paged_variants or document" > $OUT/logs/py_gpu.txt 2>&1; echo "py gpu rc $?"; tail -2 $OUT/logs/py_gpu.txt
FADSL_FUZZ_SEED=$2 FADSL_FUZZ_CASES=60 timeout 150 python3 -m pytest -q python/tests/test_gpu_fuzz.py > $OUT/logs/py_fuzz.txt 2>&1; echo "py fuzz rc $?"; tail -2 $OUT/logs/py_fuzz.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
