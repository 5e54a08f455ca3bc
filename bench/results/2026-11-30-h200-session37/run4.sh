#!/bin/bash
# build-lead = 4127476 (80-key d256 tiles for light variants only), build-exp = 83ffb30 (64-key
# tiles for all): one_kernel.py A/B at d256 (two rounds), document_mask.py on build-lead,
# then gpu_fwd on build-lead, gpu_random seeds 4941-5000 and Python fuzz seeds 5520-5579.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
ALIBI='variant ca { param m : f32 = 0.01; mask = k <= q; score = s - m * (q - k); }'
for round in 1 2; do
  for lib in lead exp; do
    for v in none causal softcap "$ALIBI"; do
      p=$(case "$v" in softcap) echo cap=30.0;; variant*) echo m=0.01;; esac)
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
        python3 bench/one_kernel.py "$v" $p --head-dim 256 --repeat 20 2>&1 | sed "s/^/$round $lib d256 /" | tail -1
    done
  done
done | tee $OUT/light_ab.txt
FADSL_CACHE_DIR=/tmp/fc-lead FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_LOG=0 timeout 120 \
  python3 bench/document_mask.py --head-dim 256 --out $OUT/logs/doc > $OUT/logs/doc.log 2>&1
echo "doc rc $?"; cp $OUT/logs/doc/document_mask.md $OUT/document-lead.md
(cd build-lead && FADSL_CACHE_DIR=/tmp/fc-lead timeout 240 ./fadsl_tests gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head -20
(cd build-lead && FA_GPU_RANDOM_SEED=4941 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fc-lead timeout 100 \
  ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
grep -h "within bounds\|passed, " $OUT/logs/random.txt | tail -2
FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=/tmp/fc-lead FADSL_FUZZ_SEED=5520 FADSL_FUZZ_CASES=60 timeout 100 \
  python3 -m pytest -q -p no:cacheprovider python/tests/test_gpu_fuzz.py > $OUT/logs/py_fuzz.txt 2>&1
echo "py fuzz rc $?"; tail -2 $OUT/logs/py_fuzz.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
