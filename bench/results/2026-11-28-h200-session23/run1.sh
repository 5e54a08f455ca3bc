#!/bin/bash
# Session 23 run 1: host time of a Python paged call and of the C entry points, with a profile.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/card.txt
lscpu | grep -E "Model name|^CPU\(s\)|MHz" > $OUT/host_cpu.txt
export FADSL_LIBRARY=$PWD/build-lead/libfadsl.so FADSL_CACHE_DIR=$(mktemp -d)
python3 bench/host_overhead.py --calls 3000 --profile > $OUT/host_overhead.txt 2>&1
python3 bench/host_overhead.py --calls 3000 > $OUT/host_overhead_2.txt 2>&1
tail -5 $OUT/host_overhead_2.txt
