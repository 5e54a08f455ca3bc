#!/bin/sh
# per-CTA timelines (bench_tl: a build of 0eb939b whose decode records globaltimer stamps)
cd "$(dirname "$0")/../.."
for cfg in "64 4096 16 nhd bf16" "8 32768 16 nhd bf16" "1 131072 16 nhd bf16" "1 131072 16 hdb bf16" "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "1 131072 16 hdb fp8e4m3"; do
  echo "== $cfg"
  FADSL_CACHE_DIR=/tmp/ftl build-lead/var/bench_tl $cfg 2>&1 | grep -v "^fadsl:"
done
