#!/bin/sh
# fp8 NHD d128 by TMA (FADSL_EXP_FP8=tma,block_n,warps,stages) against cp.async (0,...), C bench
cd "$(dirname "$0")/../.."
for shape in "64 4096" "8 32768" "1 131072"; do
  for bs in 16 8 64; do
    [ "$bs" != 16 ] && [ "$shape" = "64 4096" ] && continue
    for cfg in 0,128,4,3 1,128,4,3 1,64,2,3 1,64,2,4 1,32,2,4 0,128,4,3; do
      echo "$cfg: $(FADSL_EXP_FP8=$cfg FADSL_CACHE_DIR=/tmp/fc_$cfg build-lead/paged_decode_bench $shape $bs nhd fp8e4m3 2>&1 | grep '^| [0-9]')"
    done
  done
done
