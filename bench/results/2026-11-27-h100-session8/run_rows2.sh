#!/bin/sh
# decode_rows, second set: the shapes run_rows.sh left open (HDB fp8, 48 rows, 64 rows), same A/B.
cd "$(dirname "$0")/../../.."
for row in "4|64 4096 16 hdb fp8e4m3 64 8" "8|64 4096 16 hdb bf16 64 8" "6|64 4096 16 nhd bf16 64 8" "8|64 4096 16 nhd fp8e4m3 64 8" "8|64 4096 16 nhd fp8e4m3" "4|64 4096 16 nhd bf16 64 8 64" "2|64 4096 16 nhd fp8e4m3 64 8" "4|8 32768 16 nhd fp8e4m3 64 8"; do
  t=${row%%|*}; cfg=${row#*|}
  for r in 1 2; do
    echo "base T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc_base build-lead/var/bench_base $cfg 2>&1 | grep '^| [0-9]')"
    echo "new  T$t $cfg: $(BENCH_Q_TOKENS=$t FADSL_CACHE_DIR=/tmp/fc build-lead/paged_decode_bench $cfg 2>&1 | grep '^| [0-9]')"
  done
done
