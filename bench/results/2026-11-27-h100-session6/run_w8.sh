#!/bin/sh
cd "$(dirname "$0")/../.."
for cfg in "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "64 4096 64 nhd fp8e4m3" "1 131072 64 nhd fp8e4m3" "64 4096 16 nhd bf16"; do
  for v in base w8; do
    b=build-lead/var/bench_$v; [ $v = base ] && b=build-lead/paged_decode_bench
    echo "$v: $(FADSL_CACHE_DIR=/tmp/fc_$v $b $cfg 2>/dev/null | grep '^| [0-9]')"
  done
done
