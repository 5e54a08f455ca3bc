#!/bin/bash
# paged_decode_device.sh - one device call for the paged decode work: the GPU paged suite,
# the decode table (bench/paged_decode_bench.c) of each build directory named, the SDPA
# peers, and Nsight Compute summaries of a few decode launches. Full logs under $OUT.
# Usage (repo root): bench/paged_decode_device.sh BUILD_DIR [EXTRA_BUILD_DIR...]
set -u
OUT=${OUT:-/tmp/pd_out}
mkdir -p "$OUT"
main=$1
shift
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv,noheader
(cd "$main" && timeout 150 ./fadsl_tests gpu_paged >"$OUT/gpu_paged.log" 2>&1; echo "gpu_paged rc $?")
grep -E "FAIL|passed|failed" "$OUT/gpu_paged.log" | tail -5
timeout 60 "$main/paged_decode_bench" >"$OUT/bench_main.md" 2>&1
for b in "$@"; do
    FADSL_CACHE_DISABLE=1 timeout 60 "$b/paged_decode_bench" >"$OUT/bench_$(basename "$b").md" 2>&1
done
timeout 60 python3 bench/paged_decode_peers.py >"$OUT/peers.md" 2>&1
for cfg in "8 32768 16 nhd bf16" "8 32768 8 hdb bf16" "8 32768 64 hdb bf16" "8 32768 16 nhd fp8e4m3"; do
    timeout 40 ncu --section SpeedOfLight --section Occupancy --section WarpStateStats \
        --metrics breakdown:lts__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,lts__t_bytes.sum \
        -k regex:fa_decode -s 3 -c 1 "$main/paged_decode_bench" $cfg >>"$OUT/ncu.txt" 2>&1
done
grep -E "fa_decode_|DRAM Throughput|L2 Cache Throughput|Compute \(SM\)|Registers Per|Duration|Warp Cycles Per Issued|lts__|dram__" \
    "$OUT/ncu.txt" | cut -c1-110 | head -80
grep -E "^\||^device" "$OUT/peers.md"
for f in "$OUT"/bench_*.md; do echo "== $f"; grep "^|" "$f"; done
