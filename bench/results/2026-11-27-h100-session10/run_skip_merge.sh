#!/bin/sh
# Diagnostic: the C bench with and without the merge launch (FADSL_SKIP_MERGE_EXPERIMENT, a
# throwaway switch: wrong outputs) on split shapes, interleaved, two rounds.
cd "$(dirname "$0")/../../.."
export FADSL_CACHE_DIR=/tmp/fk
for r in 1 2; do
  for cfg in "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd bf16" "8 32768 16 nhd bf16"; do
    echo "merge $cfg: $(build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
    echo "skip  $cfg: $(FADSL_SKIP_MERGE_EXPERIMENT=1 build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
