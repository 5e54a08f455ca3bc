#!/bin/bash
# Session 29, run 6 (H200): HDB 32-key blocks by TMA as 128-byte rows (FA_DEC_HDB_FOLD).
# gpu_paged in full (its HDB bs32 cases: decode split and unsplit, chunks, sinks, packed),
# then paged_decode.py --graphs on the HDB rows of blocks 16, 32, 64 and NHD 16.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/card.txt
export FADSL_CACHE_DIR=/tmp/fadsl-s29-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
t0=$SECONDS
(cd build-lead && timeout 200 ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1; echo "gpu_paged rc $? $((SECONDS - t0)) s")
grep -h "paged cases\|asserts\|FAIL" $OUT/gpu_paged.txt
grep -h "hdb.* bs32 " $OUT/gpu_paged.txt | cut -c1-140
timeout 150 python3 bench/paged_decode.py --graphs --rows hdb:16:bf16,hdb:32:bf16,hdb:64:bf16,nhd:16:bf16 \
  --out $OUT/graphs > $OUT/graphs.log 2>&1; echo "graphs rc $?"
cp $OUT/graphs/paged_decode.md $OUT/paged_decode_graphs.md; cp $OUT/graphs/paged_decode.json $OUT/paged_decode_graphs.json
rm -rf $OUT/graphs; grep -v sdpa_flash $OUT/paged_decode_graphs.md | grep "^|"
