#!/bin/sh
# Diagnostic (not a product change): how much of the decode's time is its math? Three C
# bench builds of the same tree: base, nocvt (fp8 bytes fed to the tensor cores without the
# fp8 -> fp16 conversion: wrong answers, same everything else), nomath (the tile loop waits
# for each tile and skips QK, softmax and PV: the kernel's own copy pattern and barriers).
# Interleaved, two rounds. Needs build-lead/var/bench_{base,nocvt,nomath}.
cd "$(dirname "$0")/../../.."
for r in 1 2; do
  for cfg in "64 4096 16 nhd fp8e4m3" "8 32768 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "64 4096 16 hdb fp8e4m3" "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd bf16" "1 131072 16 nhd bf16"; do
    for v in base nocvt nomath; do
      echo "$v $cfg: $(FADSL_CACHE_DIR=/tmp/fc_$v build-lead/var/bench_$v $cfg 2>&1 | grep '^| [0-9]')"
    done
  done
done
