#!/bin/sh
# fp8 NHD d128 head groups (FADSL_EXP_HG=heads,block_n,stages) against the committed plan (unset), C bench
cd "$(dirname "$0")/../.."
for shape in "64 4096" "8 32768" "1 131072"; do
  for bs in 16 64; do
    [ "$bs" != 16 ] && [ "$shape" = "64 4096" ] && continue
    for cfg in base 4,32,3 8,32,3 2,64,3 4,32,4 base; do
      if [ $cfg = base ]; then e=""; else e="FADSL_EXP_HG=$cfg"; fi
      echo "$cfg: $(env $e FADSL_CACHE_DIR=/tmp/fh_$cfg build-lead/paged_decode_bench $shape $bs nhd fp8e4m3 2>&1 | grep '^| [0-9]')"
    done
  done
done
