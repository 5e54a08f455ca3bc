#!/bin/bash
# build-lead = 9846e3c (d256 80-key tiles), build-exp = 83ffb30 (64-key tiles), build-probe = 9846e3c
# with ../2026-11-30-h200-session36/dense_rows_probe.diff (dense decode template up to 512 rows).
#  1. the variants whose NVRTC spills grew with 80-key tiles, A/B at d256 (one_kernel.py, two
#     rounds): softcap (20 -> 48 B) and a scalar-slope ALiBi (as causal_alibi: 40 -> 140 B);
#     document (64 -> 152 B) by bench/document_mask.py on each build.
#  2. the dense decode template's d256 row limit: "fadsl none" is the decode template at every
#     row count, "forward" the forward template (GQA 4, 8 x 8192 keys, 8..20 tokens = 32..80 rows).
#  3. gpu_random seeds 4881-4940 on build-lead.
set -u
mkdir -p $OUT/logs
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
ALIBI='variant ca { param m : f32 = 0.01; mask = k <= q; score = s - m * (q - k); }'
for round in 1 2; do
  for lib in lead exp; do
    for v in softcap "$ALIBI"; do
      p=$([ "$v" = softcap ] && echo cap=30.0 || echo m=0.01)
      FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 60 \
        python3 bench/one_kernel.py "$v" $p --head-dim 256 --repeat 20 2>&1 | sed "s/^/$round $lib d256 /" | tail -1
    done
  done
done | tee $OUT/spilled_ab.txt
for lib in lead exp; do
  FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so FADSL_LOG=0 timeout 120 \
    python3 bench/document_mask.py --head-dim 256 --out $OUT/logs/doc-$lib > $OUT/logs/doc-$lib.log 2>&1
  echo "doc $lib rc $?"; cp $OUT/logs/doc-$lib/document_mask.md $OUT/document-$lib.md
done
D=8:8192:32:8:256
FADSL_CACHE_DIR=/tmp/fc-probe FADSL_LIBRARY=$PWD/build-probe/libfadsl.so timeout 200 python3 bench/dense_decode.py \
  --graphs --shapes $D:8,$D:12,$D:16,$D:20 --out $OUT/logs/rows > $OUT/logs/rows.log 2>&1
echo "rows rc $?"; cp $OUT/logs/rows/dense_decode.md $OUT/rows_sweep.md; grep "fadsl\|forward" $OUT/rows_sweep.md | head
(cd build-lead && FA_GPU_RANDOM_SEED=4881 FA_GPU_RANDOM_CASES=60 FADSL_CACHE_DIR=/tmp/fc-lead timeout 100 \
  ./fadsl_tests gpu_random > $OUT/logs/random.txt 2>&1; echo "random rc $?")
grep -h "within bounds\|passed, " $OUT/logs/random.txt
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
