#!/bin/sh
# Power and clocks while the decode streams: the C bench with BENCH_REPS=50000 (a few s of
# back-to-back launches) per build (base 3de3f02 against its nomath diagnostic), nvidia-smi
# sampled every 200 ms meanwhile.
cd "$(dirname "$0")/../../.."
Q=power.draw,power.limit,clocks.sm,clocks.mem,temperature.gpu,clocks_event_reasons.active
for cfg in "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd bf16" "64 4096 16 nhd fp8e4m3"; do
  for v in base nomath; do
    echo "== $v $cfg"
    FADSL_CACHE_DIR=/tmp/fp_$v BENCH_REPS=50000 build-lead/var/bench_$v $cfg > /tmp/pw.txt 2>&1 &
    B=$!
    sleep 3
    nvidia-smi --query-gpu=$Q --format=csv,noheader -lms 200 > /tmp/smi.txt 2>&1 &
    S=$!
    sleep 2; kill $S; wait $B
    cat /tmp/smi.txt | head -8
    grep '^| [0-9]' /tmp/pw.txt
  done
done
nvidia-smi -q -d PERFORMANCE | head -40
