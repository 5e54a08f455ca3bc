#!/bin/bash
# Session 27 run 5: the L2 fetch size of the decode's 16-byte cp.async copies (fp8 NHD
# fragment tiles, HDB fp8 tiles of blocks of 32 keys and more; bf16 rows are TMA, HDB fp8 bs16
# bulk copies: controls). build-lead: HEAD e8ee7ac (L2::256B); build-exp: L2::128B; build-exp2:
# no hint (cp_async_l2_experiment.diff; the 128B variant writes L2::128B on that line). Both
# were built from 06172a2, before e8ee7ac, so their tensor maps still fill 256 bytes: their
# bf16 rows are the old library's. Each library in its own process and cubin cache, once,
# SDPA in the same process.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
ROWS=nhd:16:bf16,nhd:16:fp8e4m3,hdb:64:fp8e4m3,hdb:16:fp8e4m3
for round in 1; do
  for lib in build-lead build-exp build-exp2; do
    FADSL_LIBRARY=$PWD/$lib/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d) python3 bench/paged_decode.py --rows $ROWS \
      --out $OUT/logs/${lib}_$round > $OUT/logs/${lib}_$round.log 2>&1; echo "$lib $round rc $?"
    echo "## $lib round $round" >> $OUT/l2_cp.md; grep '^| [0-9]' $OUT/logs/${lib}_$round/paged_decode.md | grep -v flash >> $OUT/l2_cp.md
  done
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
cat $OUT/l2_cp.md
