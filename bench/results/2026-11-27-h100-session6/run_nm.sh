#!/bin/sh
# merge cost: the same bench binary with and without the merge launch (FADSL_SKIP_MERGE_DIAG)
cd "$(dirname "$0")/../.."
for cfg in "1 131072 16 nhd bf16" "1 131072 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3"; do
  for r in 1 2; do
    echo "merge: $(FADSL_CACHE_DIR=/tmp/fc_nm build-lead/var/bench_nm $cfg 2>/dev/null | grep '^| [0-9]')"
    echo "skip:  $(FADSL_SKIP_MERGE_DIAG=1 FADSL_CACHE_DIR=/tmp/fc_nm build-lead/var/bench_nm $cfg 2>/dev/null | grep '^| [0-9]')"
  done
done
