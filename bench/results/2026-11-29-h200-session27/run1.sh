#!/bin/bash
# Session 27 run 1: which copy shape reads a 16-bit NHD cache fastest on the H200?
# (a) bench/paged_read_probe.cu, copy-only kernels (default rows and --whole);
# (b) the decode itself at other tiles: build-exp/libfadsl.so is HEAD with the throwaway
#     FAX_DEC=block_n,warps,stages,tma override of compiler/plan.c (tile_override_experiment.diff),
#     each setting in its own process with its own cubin cache, SDPA timed in the same process.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
nvcc -O3 -arch=sm_90a -std=c++17 bench/paged_read_probe.cu -o /tmp/probe -L/usr/local/cuda/lib64/stubs -lcuda \
  && /tmp/probe > $OUT/probe.md 2>&1 && /tmp/probe --whole > $OUT/probe_whole.md 2>&1
echo "probe rc $?"
export FADSL_LIBRARY=$PWD/build-exp/libfadsl.so
for mode in base 32,2,3,1 32,2,4,1 64,4,2,1 64,4,3,1 64,4,3,0 64,4,4,0 32,2,3,0; do
  tag=${mode//,/_}
  if [ $mode = base ]; then unset FAX_DEC; else export FAX_DEC=$mode; fi
  FADSL_CACHE_DIR=$(mktemp -d) python3 bench/paged_decode.py --rows nhd:16:bf16,nhd:64:bf16 \
    --out $OUT/logs/$tag > $OUT/logs/$tag.log 2>&1; echo "mode $mode rc $?"
  echo "## $mode" >> $OUT/modes.md; grep '^| [0-9]' $OUT/logs/$tag/paged_decode.md >> $OUT/modes.md
done
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
cat $OUT/modes.md; grep -E "stream|nhd_bulk t64 s3|nhd_tma t32 s3|hdb_bulk t64 s3|nhd_cp s3" $OUT/probe.md | head -60
