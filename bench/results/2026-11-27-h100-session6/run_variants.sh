#!/bin/sh
# Session 6 diagnostic: C bench of the base library and variant libraries, interleaved.
cd "$(dirname "$0")/../.."
for cfg in "64 4096 16 nhd bf16" "64 4096 16 hdb bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16" "64 4096 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3"; do
  for v in base copyonly tma64x2s3 tma32x2s4; do
    b=build-lead/var/bench_$v; [ $v = base ] && b=build-lead/paged_decode_bench
    echo "$v: $(FADSL_CACHE_DIR=/tmp/fc_$v $b $cfg 2>/dev/null | grep '^| [0-9]')"
  done
done
