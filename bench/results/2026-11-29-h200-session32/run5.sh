#!/bin/bash
# Session 32, run5: the per-dimension index check's cost (index_cost.py), HEAD (build-lead)
# against 7a60c9a, the commit before it (build-exp), alternated, three rounds.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
D=bench/results/2026-11-29-h200-session32
export FADSL_CACHE_DIR=/tmp/fc-cost
for r in 1 2 3; do
  for b in build-exp build-lead; do
    FADSL_LIBRARY=$PWD/$b/libfadsl.so timeout 150 python3 $D/index_cost.py | tee -a $OUT/index_cost.jsonl
  done
done
