#!/bin/bash
# Session 27 run 7: HDB fp8 claims against even shares where KV heads share blocks and where
# they do not (claims_probe.py), build-lead = HEAD.
set -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv > $OUT/card.txt
export FADSL_CACHE_DIR=$(mktemp -d) FADSL_LIBRARY=$PWD/build-lead/libfadsl.so
python3 bench/results/2026-11-29-h200-session27/claims_probe.py > $OUT/claims_probe.md 2> $OUT/claims_probe.err
echo "rc $?"; cat $OUT/claims_probe.md; tail -5 $OUT/claims_probe.err
