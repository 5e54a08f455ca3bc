#!/bin/bash
# Session 35, run3 (one H200): probe_doc.py at d128 and d256 on build-lead (ec2ef06), then
# d128 on build-exp (ec2ef06 + masks in parts where a row- or key-only part divides by a
# runtime value: chunked_local's q / chunk once per row).
set -u
for run in lead:128 lead:256 exp:128; do
  lib=${run%:*}; hd=${run#*:}
  echo "== $lib"; FADSL_CACHE_DIR=/tmp/fc-$lib FADSL_LIBRARY=$PWD/build-$lib/libfadsl.so timeout 100 \
    python3 bench/results/2026-11-30-h200-session35/probe_doc.py --head-dim $hd 2>&1 | tail -3
done
