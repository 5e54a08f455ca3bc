#!/bin/bash
# NOT RUN on an H100: issue #5's check for the next session that is lent one (sessions 27-30
# changed the decode's tensor-map fill size, the HDB fp8 claims kernel, the HDB 32-key-block
# map and the sink tiles' list, none measured on an H100; sessions 29-30 ran both parts' pieces
# on an H200).
# Two device calls, each under the 600 s limit, from the repository root with $OUT set and
# build-lead/ = HEAD carried:
#   bash next_h100.sh a   correctness: gpu_paged in full (154/154 on an H200 in session 30;
#                         session 29's run 1 showed 300 s too short for both suites on a fresh
#                         cache before gpu_paged compiled ahead), gpu_fwd, the Python paged and
#                         split tests
#   bash next_h100.sh b   the bars: bench/paged_decode.py eager and under CUDA graphs, and
#                         claims_probe.py (claims against even shares)
#   bash next_h100.sh c   (not #5's) document masking against FlexAttention at d128 and d256
#                         (sessions 34-35 measured it on an H200 only)
set -u
S27=bench/results/2026-11-29-h200-session27
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
mkdir -p $OUT/logs
export FADSL_CACHE_DIR=/tmp/fadsl-h100-cache FADSL_LIBRARY=$PWD/build-lead/libfadsl.so  # kept between calls on a warm machine
mkdir -p $FADSL_CACHE_DIR
case ${1:-} in
a)
  (cd build-lead && timeout 380 ./fadsl_tests gpu_paged gpu_fwd > $OUT/logs/gpu.txt 2>&1; echo "gpu rc $?")
  grep -h "within bounds\|FAIL\|passed, \|failed" $OUT/logs/gpu.txt | head
  timeout 180 python3 -m pytest -q python/tests -k "split or paged" > $OUT/logs/py.txt 2>&1; echo "py: $(tail -1 $OUT/logs/py.txt)"
  ;;
b)
  timeout 220 python3 bench/paged_decode.py --out $OUT/eager > $OUT/logs/eager.log 2>&1; echo "eager rc $?"
  timeout 220 python3 bench/paged_decode.py --graphs --out $OUT/graphs > $OUT/logs/graphs.log 2>&1; echo "graphs rc $?"
  timeout 100 python3 $S27/claims_probe.py 2>/dev/null | grep '^| [0-9]' > $OUT/claims.md; cat $OUT/claims.md
  for m in eager graphs; do cp $OUT/$m/paged_decode.md $OUT/paged_decode_$m.md; cp $OUT/$m/paged_decode.json $OUT/paged_decode_$m.json; rm -rf $OUT/$m; done
  grep -v sdpa_flash $OUT/paged_decode_graphs.md
  ;;
c)
  for hd in 128 256; do
    timeout 250 python3 bench/document_mask.py --head-dim $hd --out $OUT/document-d$hd > $OUT/logs/document-d$hd.log 2>&1
    echo "document d$hd rc $?"; tail -6 $OUT/logs/document-d$hd.log
  done
  ;;
*) echo "usage: next_h100.sh a|b|c" >&2; exit 2 ;;
esac
tar czf $OUT/logs.tgz -C $OUT logs && rm -rf $OUT/logs
